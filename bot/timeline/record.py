"""Recording a fired time-driven action: one event under its key, listeners told; the shared context."""

from __future__ import annotations

from datetime import datetime, timedelta

from commands.context import Services
from commands.run import record_event
from cutover.events import Event
from cutover.state import CutoverState
from cutover.timeline.due import DueAction

BOT = "cutover-bot"
LATE_AFTER = timedelta(minutes=1)


def record(services: Services, cutover_id: str, event: Event, key: str, at: datetime) -> bool:
    """Append one event under a key (retrying on conflict) and tell the listeners; False if it was there."""
    return record_event(services, cutover_id, event, actor=BOT, at=at, key=key) is not None


def base(services: Services, state: CutoverState, action: DueAction, t: datetime) -> dict:
    """What every time template may use: state, plan, now, due_at, late_by, late, cutover_id."""
    late = action.late_by(t)
    return {
        "state": state,
        "plan": services.plan,
        "now": t,
        "due_at": action.at,
        "late_by": late,
        "late": late >= LATE_AFTER,
        "cutover_id": state.cutover_id,
    }
