"""Facts the go/no-go checklist reads from the folded states: comms sent/acknowledged, rehearsals of any cutover."""

from __future__ import annotations

from datetime import datetime

from commands.context import Services
from cutover.integrity.checklist import LogFacts
from cutover.state import CutoverState


def log_facts(services: Services, state: CutoverState | None, now: datetime) -> LogFacts:
    """The window, confirmations, communications of this cutover and the rehearsals recorded in any cutover."""
    comms = state.time.comms if state is not None else {}
    return LogFacts(
        now=now,
        window_start=state.window_start if state else None,
        confirmations=list(state.integrity.confirmations) if state else [],
        comms_sent=frozenset(comm_id for comm_id, record in comms.items() if record.sent_at is not None),
        comms_acknowledged=frozenset(comm_id for comm_id, record in comms.items() if record.acks),
        rehearsals=rehearsals(services),
        rehearsal=state.integrity.rehearsal if state is not None else None,
    )


def rehearsals(services: Services) -> list[dict]:
    """Every rehearsal recorded, in any cutover's log (the log of drills too), oldest cutover first.

    The ledger keeps every state folded: each cutover costs a read of its events since the last time.
    """
    return [
        drill
        for cutover_id in services.ledger.ids()
        for drill in services.ledger.state(cutover_id).integrity.drills
    ]
