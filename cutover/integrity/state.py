"""What the cutover state knows of go/no-go and data integrity, folded from its events."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cutover.integrity import events as ie
from cutover.integrity.drills import RehearsalRecorded
from cutover.report.events import RehearsalMarked


@dataclass
class Confirmation:
    """A manual go/no-go confirmation by one person."""

    item: str
    actor: str
    at: datetime
    note: str = ""


@dataclass
class Override:
    """A go/no-go override: asked by the Incident Commander, approved by Management."""

    reason: str
    items: list[str]
    requested_by: str
    requested_at: datetime
    approved_by: str | None = None
    approved_at: datetime | None = None
    approval_note: str = ""


@dataclass
class IntegrityState:
    """The last checklist, confirmations, override, baseline, validation and reconciliation."""

    checklist: list[dict[str, Any]] = field(default_factory=list)
    checklist_at: datetime | None = None
    confirmations: list[Confirmation] = field(default_factory=list)
    override: Override | None = None
    baseline: dict[str, Any] | None = None
    baseline_at: datetime | None = None
    validation: dict[str, Any] | None = None
    validation_at: datetime | None = None
    validation_override: Confirmation | None = None  # item "validation", note = the reason
    reconciliation: dict[str, Any] | None = None
    reconciliation_at: datetime | None = None
    drills: list[dict[str, Any]] = field(
        default_factory=list
    )  # rehearsals recorded in this log, oldest first
    rehearsal: str | None = None  # this cutover is a rehearsal on simulated infrastructure: its scenario

    def confirmed(self, item: str) -> list[Confirmation]:
        """The confirmations recorded for an item, oldest first."""
        return [c for c in self.confirmations if c.item == item]

    @property
    def validation_blocks_gate(self) -> bool:
        """True while the latest validation failed and nobody overrode it with a reason."""
        validation = self.validation
        return (
            bool(validation)
            and validation is not None
            and not validation["passed"]
            and self.validation_override is None
        )

    @property
    def override_approved(self) -> bool:
        """True when an override was asked and approved."""
        return self.override is not None and self.override.approved_by is not None


def _checklist(s, e: ie.ChecklistEvaluated, at: datetime, actor: str) -> None:
    s.integrity.checklist, s.integrity.checklist_at = list(e.items), at


def _confirmed(s, e: ie.GoNoGoConfirmed, at: datetime, actor: str) -> None:
    s.integrity.confirmations.append(Confirmation(item=e.item, actor=actor, at=at, note=e.note))


def _override_requested(s, e: ie.OverrideRequested, at: datetime, actor: str) -> None:
    s.integrity.override = Override(reason=e.reason, items=list(e.items), requested_by=actor, requested_at=at)


def _override_approved(s, e: ie.OverrideApproved, at: datetime, actor: str) -> None:
    if s.integrity.override is not None:
        s.integrity.override.approved_by, s.integrity.override.approved_at = actor, at
        s.integrity.override.approval_note = e.reason


def _baseline(s, e: ie.BaselineCaptured, at: datetime, actor: str) -> None:
    s.integrity.baseline, s.integrity.baseline_at = e.payload(), at


def _archived(s, e: ie.BaselineArchived, at: datetime, actor: str) -> None:
    if s.integrity.baseline is not None:
        s.integrity.baseline = {**s.integrity.baseline, "archive": e.archive}


def _validated(s, e: ie.ValidationCompleted, at: datetime, actor: str) -> None:
    s.integrity.validation, s.integrity.validation_at = {"passed": e.passed, "items": list(e.items)}, at
    s.integrity.validation_override = None  # a new validation is judged on its own


def _validation_overridden(s, e: ie.ValidationOverridden, at: datetime, actor: str) -> None:
    s.integrity.validation_override = Confirmation(item="validation", actor=actor, at=at, note=e.reason)


def _reconciled(s, e: ie.ReconciliationCompleted, at: datetime, actor: str) -> None:
    s.integrity.reconciliation = {"passed": e.passed, "differences": list(e.differences)}
    s.integrity.reconciliation_at = at


def _drilled(s, e: RehearsalRecorded, at: datetime, actor: str) -> None:
    s.integrity.drills.append({**e.payload(), "at": at, "cutover_id": s.cutover_id})


def _rehearsal(s, e: RehearsalMarked, at: datetime, actor: str) -> None:
    s.integrity.rehearsal = e.scenario


INTEGRITY_HANDLERS: dict[type, Callable[..., None]] = {
    ie.ChecklistEvaluated: _checklist,
    ie.GoNoGoConfirmed: _confirmed,
    ie.OverrideRequested: _override_requested,
    ie.OverrideApproved: _override_approved,
    ie.BaselineCaptured: _baseline,
    ie.BaselineArchived: _archived,
    ie.ValidationCompleted: _validated,
    ie.ValidationOverridden: _validation_overridden,
    ie.ReconciliationCompleted: _reconciled,
    RehearsalRecorded: _drilled,
    RehearsalMarked: _rehearsal,
}
