"""Denials across replicas: one recorded a person-minute over all of them, the rest counted and carried."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import event

from commands.run import execute
from cutover.errors import PermissionDenied
from storage import eventlog
from tests.conftest import T0
from tests.storage.test_concurrency import replicas
from tests.support.bot import CommandBot

STRANGER = "U0STRANGE1"


def count_event_inserts(engine, counts: Counter, name: str) -> None:
    """Count the INSERTs into the log an engine makes (the writes a denial may cost)."""

    @event.listens_for(engine, "before_cursor_execute")
    def _insert(_conn, _cursor, statement, *_args) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO EVENTS"):
            counts[name] += 1


def denied(services, times: int = 1) -> None:
    for _ in range(times):
        with pytest.raises(PermissionDenied):
            execute(services, STRANGER, "start")


def test_one_denial_a_person_minute_is_recorded_across_two_replicas_and_none_is_lost(plan, roster, db_url):
    bot = CommandBot(plan, roster, db_url, T0)
    bot.ok("schedule 2026-12-08 02:00", bot.person("incident_commander"))
    first, second = replicas(bot, 2)
    writes: Counter = Counter()
    count_event_inserts(first.ledger.db, writes, "first")
    count_event_inserts(second.ledger.db, writes, "second")

    def recorded() -> list:
        history = eventlog.history(engine=bot.services.ledger.db, cutover_id=bot.state.cutover_id)
        return [(r.actor, r.event.repeats) for r in history if r.event.kind == "command.denied"]

    for _ in range(10):  # a flood spread over both replicas within one minute
        denied(first)
        denied(second)
    assert recorded() == [(STRANGER, 0)]  # one, though each replica saw a first denial
    assert writes["first"] <= 1 and writes["second"] <= 1  # no write per refused request
    assert first.denials.pending(STRANGER) == 9 and second.denials.pending(STRANGER) == 10

    bot.advance(seconds=60)  # the next minute: whoever is first records, carrying its own count
    denied(second)
    denied(first)
    assert recorded() == [(STRANGER, 0), (STRANGER, 10)]
    assert first.denials.pending(STRANGER) == 10  # its 9, and the denial the other replica's record took

    bot.advance(seconds=60)
    denied(first)
    assert recorded() == [(STRANGER, 0), (STRANGER, 10), (STRANGER, 10)]
    assert bot.state.denials == 23  # every refusal counted once: 20 + 2 + 1
    assert writes["first"] <= 3 and writes["second"] <= 2
