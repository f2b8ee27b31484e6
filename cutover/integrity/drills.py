"""Drill records: each rehearsal records which rollback procedure it exercised (go/no-go reads them)."""

from __future__ import annotations

from cutover.events import Event, event_kind


@event_kind("rehearsal.recorded")
class RehearsalRecorded(Event):
    scenario: str
    procedure: str  # the rollback procedure the rehearsal ran ("" when none ran)
    outcome: str
