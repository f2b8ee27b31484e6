"""Facts the go/no-go checklist reads from the log: comms sent/acknowledged, rehearsals of any cutover."""

from __future__ import annotations

from datetime import datetime

from commands.context import Services
from cutover.events import kind_of
from cutover.integrity.checklist import LogFacts
from cutover.state import CutoverState
from storage import eventlog


def log_facts(services: Services, state: CutoverState | None, now: datetime) -> LogFacts:
    """The window, confirmations, communications of this cutover and the rehearsals recorded in any cutover."""
    sent: set[str] = set()
    acked: set[str] = set()
    if state is not None:
        for recorded in eventlog.history(engine=services.ledger.db, cutover_id=state.cutover_id):
            kind, payload = kind_of(recorded.event), recorded.event.payload()
            if kind == "comm.sent":
                sent.add(payload.get("comm_id", ""))
            elif kind == "comm.acknowledged":
                acked.add(payload.get("comm_id", ""))
    return LogFacts(
        now=now,
        window_start=state.window_start if state else None,
        confirmations=list(state.integrity.confirmations) if state else [],
        comms_sent=frozenset(sent),
        comms_acknowledged=frozenset(acked),
        rehearsals=rehearsals(services),
    )


def rehearsals(services: Services) -> list[dict]:
    """Every `rehearsal.recorded` event in the log, of any cutover, with its time."""
    found = []
    for cutover_id in services.ledger.ids():
        for recorded in eventlog.history(engine=services.ledger.db, cutover_id=cutover_id):
            if kind_of(recorded.event) == "rehearsal.recorded":
                found.append({**recorded.event.payload(), "at": recorded.at, "cutover_id": cutover_id})
    return found
