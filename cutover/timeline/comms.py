"""The communications plan (seed 1.3, 5.3) over a cutover's state: what is due, sent, acknowledged.

A message is due at its anchor (the window, the start, the completion, a rollback ordered or failed)
plus its offset. Each is
sent once or cancelled once, under one key `comm:<id>:<cutover>`. Rescheduling moves the window
and with it every message not yet sent; an abort cancels them; a window message whose moment
comes after the cutover already started is cancelled (superseded); one whose moment had passed when
the window was scheduled is sent as scheduled late (the scheduling reply names it); "only if not complete"
messages are cancelled once the cutover is over.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from cutover.plan.model import Runbook
from cutover.plan.sections import Communication
from cutover.state import UNDERWAY, CutoverState, Status
from cutover.timeline.due import DueAction

HOLD = frozenset({Status.PLANNED, Status.NO_GO})  # no window yet, or a no-go: wait for a new decision
COMPLETE = frozenset({Status.SUCCEEDED, Status.ROLLED_BACK})


def comm_key(comm_id: str, cutover_id: str) -> str:
    """The one idempotency key of a communication of a cutover (sent or cancelled)."""
    return f"comm:{comm_id}:{cutover_id}"


def due_at(state: CutoverState, message: Communication) -> datetime | None:
    """When a message falls due for this cutover (None while its anchor has not happened)."""
    failed = None
    if state.rollback and state.status == Status.ROLLBACK_FAILED and state.rollback.failed_step:
        failed = state.step(state.rollback.failed_step).ended_at
    anchor = {
        "window": state.window_start,
        "start": state.started_at,
        "completion": state.ended_at if state.status in COMPLETE else None,
        "rollback": state.rollback.ordered_at if state.rollback else None,
        "rollback_failed": failed,
    }[message.anchor]
    return None if anchor is None else anchor + message.offset


def slot_id(message: Communication, n: int) -> str:
    """The id of the n-th sending (n >= 1) of a repeated message."""
    return f"{message.id}#{n}"


def _repeats(
    state: CutoverState, message: Communication, every: timedelta, rank: int, t: datetime
) -> list[DueAction]:
    """A repeated message (`every`): its latest slot due by t not yet sent, and the next one, while under way."""
    first = due_at(state, message)
    if first is None or state.status not in UNDERWAY:
        return []
    k = 0 if t < first else (t - first) // every
    found = []
    for n in {k + 1, k + 2} if t >= first else {1}:
        at = first + (n - 1) * every
        comm_id = slot_id(message, n)
        record = state.time.comm(comm_id)
        if record.sent_at or record.cancelled_at:
            continue
        data = {"comm_id": comm_id, "message_id": message.id, "rank": rank, "slot": n}
        found.append(DueAction(comm_key(comm_id, state.cutover_id), at, "comm", data))
    return found


def candidates(state: CutoverState, plan: Runbook, t: datetime) -> list[DueAction]:
    """Sends and cancellations not yet done (due by t or later)."""
    if plan.communications is None or state.window_start is None:
        return []
    found = []
    for rank, message in enumerate(plan.communications.messages):
        if message.every:
            found += _repeats(state, message, message.every, rank, t)
            continue
        record = state.time.comm(message.id)
        if record.sent_at or record.cancelled_at:
            continue
        key = comm_key(message.id, state.cutover_id)
        cancel = _cancel_reason(state, message)
        if cancel:
            at = min(t, cancel[1] or t)
            found.append(
                DueAction(key, at, "comm_cancel", {"comm_id": message.id, "code": cancel[0], "rank": rank})
            )
            continue
        due = due_at(state, message)
        if due is None or state.status in HOLD:
            continue
        found.append(DueAction(key, due, "comm", {"comm_id": message.id, "rank": rank}))
    return found


def _cancel_reason(state: CutoverState, message: Communication) -> tuple[str, datetime | None] | None:
    """Why (a code templates/time/_cancel_words.j2 words) and since when a message not yet sent will never
    be sent, if so."""
    if state.status == Status.ABORTED:
        return "aborted", state.ended_at
    at = due_at(state, message)
    if message.only_if_not_complete and state.terminal:
        return "complete_before_due", state.ended_at
    if message.anchor == "window" and state.started_at and at and at > state.started_at:
        return "superseded", state.started_at
    if message.anchor == "rollback" and state.terminal and state.rollback is None:
        return "no_rollback", state.ended_at
    if message.anchor == "rollback_failed" and state.terminal:
        return "no_emergency", state.ended_at
    return None


def short_notice(plan: Runbook, window: datetime, now: datetime) -> list[str]:
    """The window messages a window scheduled now is too late for (they go out at once, worded as late)."""
    if plan.communications is None:
        return []
    return [m.id for m in plan.communications.messages if m.anchor == "window" and window + m.offset < now]


@dataclass(frozen=True)
class CommView:
    """One line of `/cutover comms`."""

    id: str
    subject: str
    audiences: list[str]
    due_at: datetime | None
    status: str  # sent, pending, cancelled, waiting (its anchor has not happened)
    sent_at: datetime | None
    late_by: timedelta
    cancel_reason: str  # a log written before codes: the sentence it recorded
    needs_ack: bool
    acknowledged_by: list[str]
    unacknowledged: list[str]
    anchor: str = "window"
    cancel_code: str = ""  # why it was cancelled: templates/time/_cancel_words.j2 words it


def views(state: CutoverState, plan: Runbook) -> list[CommView]:
    """Every message of the plan with where it stands, in due order."""
    if plan.communications is None:
        return []
    found = []
    for message in plan.communications.messages:
        record = state.time.comm(message.id)
        if message.every:
            sent = [
                state.time.comm(slot_id(message, n)) for n in range(1, _slots_recorded(state, message) + 1)
            ]
            record = sent[-1] if sent else record
        at = due_at(state, message) if state.window_start else None
        status = (
            "sent"
            if record.sent_at
            else "cancelled"
            if record.cancelled_at
            else "pending"
            if at is not None
            else "waiting"
        )
        acked = {audience for _, audience, _ in record.acks}
        missing = (
            []
            if not record.sent_at or not message.needs_ack or "" in acked
            else [a for a in message.audiences if a not in acked]
        )
        found.append(
            CommView(
                message.id,
                record.subject or message.subject,
                list(message.audiences),
                at,
                status,
                record.sent_at,
                timedelta(seconds=record.late_by_s),
                record.cancel_reason,
                message.needs_ack,
                sorted({actor for actor, _, _ in record.acks}),
                missing,
                message.anchor,
                record.cancel_code,
            )
        )
    far = datetime.max.replace(tzinfo=state.window_start.tzinfo if state.window_start else None)
    return sorted(found, key=lambda v: v.due_at or far)


def unacknowledged(state: CutoverState, plan: Runbook) -> list[tuple[str, str]]:
    """(message id, audience) pairs sent, needing an acknowledgement, and not acknowledged (go/no-go reads this)."""
    return [(v.id, audience) for v in views(state, plan) for audience in v.unacknowledged]


def _slots_recorded(state: CutoverState, message: Communication) -> int:
    """How many slots of a repeated message were sent (or cancelled) so far."""
    n = 0
    while slot_id(message, n + 1) in state.time.comms:
        n += 1
    return n
