"""Recording a fired time-driven action: one event under its key, listeners told; the shared context."""

from __future__ import annotations

from datetime import datetime, timedelta

from commands.context import Services
from commands.run import notify
from cutover.due import DueAction
from cutover.events import Event
from cutover.state import CutoverState
from storage.eventlog import AlreadyApplied, Conflict, Pending

BOT = "cutover-bot"
ATTEMPTS = 20
LATE_AFTER = timedelta(minutes=1)


def record(services: Services, cutover_id: str, event: Event, key: str, at: datetime) -> bool:
    """Append one event under a key (retrying on conflict) and tell the listeners; False if it was there."""
    for _ in range(ATTEMPTS):
        state = services.ledger.state(cutover_id)
        try:
            fresh, recorded = services.ledger.record(cutover_id, [Pending(BOT, at, event)], state.seq, key=key)
        except Conflict:
            continue
        except AlreadyApplied:
            return False
        notify(services, fresh, recorded)
        return True
    raise Conflict(f"{cutover_id}: could not record {event.kind} after {ATTEMPTS} attempts")


def base(services: Services, state: CutoverState, action: DueAction, t: datetime) -> dict:
    """What every time template may use: state, plan, now, due_at, late_by, late, cutover_id."""
    late = action.late_by(t)
    return {"state": state, "plan": services.plan, "now": t, "due_at": action.at, "late_by": late,
            "late": late >= LATE_AFTER, "cutover_id": state.cutover_id}
