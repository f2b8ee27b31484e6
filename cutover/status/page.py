"""The public status page (seed 5.3) as a pure view: colour, degradation level, services, ETA, contact.

`status_view(state, plan, now)` is what `/status`, `/status.json`, the S3 copy, Statuspage and the
CloudWatch metrics all show, so they never disagree. The colour follows the degradation level
(seed 5.2): 0 green, 1 yellow (planned maintenance), 2 and 3 red. The phase is a reason code
(templates/status/ words it); the history is the updates published so far, newest first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from cutover.plan.model import Runbook
from cutover.progress import degradation_level
from cutover.state import CutoverState, Status
from cutover.status.eta import critical_path, estimated_completion
from cutover.status.events import Update

COLOURS = {0: "green", 1: "yellow", 2: "red", 3: "red"}


@dataclass(frozen=True)
class StatusView:
    """Everything the status page shows."""

    phase: str  # idle, scheduled, in_progress, paused, rolling_back, rollback_failed, completed, rolled_back, aborted
    colour: str
    level: int
    level_name: str
    status_text: str
    banner: str
    affected: list[str]
    available: list[str]
    eta: datetime | None
    updated_at: datetime
    window_start: datetime | None
    started_at: datetime | None
    ended_at: datetime | None
    planned_duration: timedelta
    url: str
    hotline: str
    channel: str
    cutover_id: str | None
    history: list[Update] = field(default_factory=list)


PHASES = {
    Status.PLANNED: "idle",
    Status.SCHEDULED: "scheduled",
    Status.GO: "scheduled",
    Status.NO_GO: "scheduled",
    Status.EXECUTING: "in_progress",
    Status.VALIDATING: "in_progress",
    Status.ROLLING_BACK: "rolling_back",
    Status.ROLLBACK_FAILED: "rollback_failed",
    Status.SUCCEEDED: "completed",
    Status.ROLLED_BACK: "rolled_back",
    Status.ABORTED: "aborted",
}


def phase_of(state: CutoverState | None) -> str:
    """The page's reason code for where a cutover stands."""
    if state is None:
        return "idle"
    if state.paused and state.status in (Status.EXECUTING, Status.VALIDATING):
        return "paused"
    return PHASES[state.status]


def status_view(state: CutoverState | None, plan: Runbook, now: datetime) -> StatusView:
    """The status page of the current cutover (None: no cutover yet, all services normal)."""
    level = degradation_level(state) if state is not None else 0
    described = plan.degradation_level(level)
    page = plan.status_page
    return StatusView(
        phase=phase_of(state),
        colour=COLOURS[level],
        level=level,
        level_name=described.name if described else "",
        status_text=described.status if described else "",
        banner=described.banner if described else "",
        affected=list(described.affected) if described else [],
        available=list(described.available) if described else [],
        eta=estimated_completion(state, plan, now) if state and state.window_start else None,
        updated_at=now,
        window_start=state.window_start if state else None,
        started_at=state.started_at if state else None,
        ended_at=state.ended_at if state else None,
        planned_duration=critical_path(plan),
        url=page.url if page else "",
        hotline=page.hotline if page else "",
        channel=page.channel if page else "",
        cutover_id=state.cutover_id if state else None,
        history=list(reversed(state.status_page.updates)) if state else [],
    )
