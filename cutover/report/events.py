"""The report's events: a report was asked for, a report was written (and where it went)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from cutover.events import Event, Recorded, event_kind, kind_of


@event_kind("report.requested")
class ReportRequested(Event):
    cutover_id: str  # the cutover the report is about (the request is recorded in that cutover's log)


@event_kind("report.generated")
class ReportGenerated(Event):
    formats: list[str]
    archive: str = ""  # s3://bucket/<cutover>/report.html, or "" when not archived
    permalink: str = ""  # the Slack permalink of the uploaded report, when Slack gave one
    failures: list[str] | None = None  # integrations that failed ("s3: ...", "slack: ...")


@event_kind("rehearsal.marked")
class RehearsalMarked(Event):
    """This cutover is a rehearsal on simulated infrastructure: every page of its report says so."""

    scenario: str
    infrastructure: str = "simulated"


def report_location(history: list[Recorded]) -> str | None:
    """Where the latest report of a cutover can be read: its S3 URI, else its Slack permalink, else None."""
    for recorded in reversed(history):
        if kind_of(recorded.event) == "report.generated":
            payload = recorded.event.payload()
            return payload.get("archive") or payload.get("permalink") or None
    return None


def _requested(state, event: ReportRequested, at: datetime, actor: str) -> None:
    """state.report_requested_at: when the report was last asked for (cutover/report/schedule.py reads it)."""
    state.report_requested_at = at


REPORT_HANDLERS: dict[type, Callable[..., None]] = {ReportRequested: _requested}
