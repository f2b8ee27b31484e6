"""How the ledger reads the log before a decision: one read, shared for a moment under load, never stale after a Conflict."""

from __future__ import annotations

import sqlite3

import pytest

import storage.eventlog as eventlog
from bot.bootstrap import build_services
from bot.slack.replies import refusal_words, reply_text
from commands.context import Services
from commands.run import execute
from cutover.errors import InvalidTransition
from storage.db import create_db_engine, read_rows
from tests.conftest import T0
from tests.support.bot import CommandBot


class Monotonic:
    """A hand-moved monotonic clock for the ledger's shared reads."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def replica(bot: CommandBot, share_reads_for: float = 0.0, monotonic=None):
    """Another bot process over the same database (its own ledger, same clock)."""
    url = bot.services.ledger.db.url.render_as_string(hide_password=False)
    services = build_services(
        runbook=bot.plan,
        roster=bot.roster,
        database_url=url,
        clock=bot.clock,
        share_reads_for=share_reads_for,
    )
    if monotonic is not None:
        services.ledger.shared.monotonic = monotonic
    return services


def sharing(plan, roster, db_url, window: float) -> tuple[CommandBot, Services, Monotonic]:
    """A started cutover, and a server process sharing reads for `window` seconds that has just read it."""
    bot = CommandBot(plan, roster, db_url, T0)
    bot.to_started()
    clock = Monotonic()
    server = replica(bot, share_reads_for=window, monotonic=clock)
    server.ledger.current()  # finds the live cutover
    server.ledger.current()  # the read the next requests share
    return bot, server, clock


def count_reads(monkeypatch, services) -> list[str]:
    """Record every fast-path read of the log by these services' ledger."""
    reads: list[str] = []
    real = eventlog.cutovers_and_news

    def counted(**kwargs):
        if kwargs["engine"] is services.ledger.db:
            reads.append(kwargs["cutover_id"])
        return real(**kwargs)

    monkeypatch.setattr(eventlog, "cutovers_and_news", counted)
    return reads


def note_count(services, cutover_id: str, text: str) -> int:
    return sum(
        1
        for r in eventlog.history(engine=services.ledger.db, cutover_id=cutover_id)
        if r.event.kind == "note.added" and text in getattr(r.event, "text", "")
    )


def test_another_process_append_is_seen_by_the_next_command(plan, roster, db_url):
    bot = CommandBot(plan, roster, db_url, T0)
    bot.to_started()
    other = replica(bot)
    ic = bot.person("incident_commander")
    assert "Next: 0.1" in bot.run("status", ic)
    execute(other, bot.person(plan.steps_by_id["0.1"].raci.R[0]), "step start 0.1")
    assert bot.services.ledger.current().step("0.1").status == "in_progress"


def test_requests_of_the_same_moment_share_one_read_and_a_later_one_reads_again(
    plan, roster, db_url, monkeypatch
):
    bot = CommandBot(plan, roster, db_url, T0)
    bot.to_started()
    clock = Monotonic()
    server = replica(bot, share_reads_for=0.02, monotonic=clock)
    ops = bot.person(plan.steps_by_id["0.1"].raci.R[0])
    server.ledger.current()  # finds the live cutover
    reads = count_reads(monkeypatch, server)
    server.ledger.current()
    assert len(reads) == 1
    bot.ok("step start 0.1", ops)  # another process appends
    clock.now += 0.01
    assert server.ledger.current().step("0.1").status == "pending"  # the shared read, 10 ms old
    assert len(reads) == 1
    assert server.ledger.current(fresh=True).step("0.1").status == "in_progress"
    bot.ok("step done 0.1", ops)
    clock.now += 0.05
    assert server.ledger.current().step("0.1").status == "done"
    assert len(reads) == 3


def test_within_one_process_a_shared_read_never_hides_a_command_already_answered(plan, roster, db_url):
    bot, server, _ = sharing(plan, roster, db_url, 60.0)  # the clock never moves: always shared
    ops, ic = bot.person(plan.steps_by_id["0.1"].raci.R[0]), bot.person("incident_commander")
    for verb in ("start", "done"):
        execute(server, ops, f"step {verb} 0.1")  # each decided on the state the previous one left
    assert "0.2 - " in reply_text(execute(server, ic, "status"))


def test_a_decision_on_a_shared_read_that_lost_a_race_is_decided_again_on_a_fresh_read(plan, roster, db_url):
    bot, server, _ = sharing(plan, roster, db_url, 60.0)
    ic = bot.person("incident_commander")
    cutover_id = server.ledger.current().cutover_id
    bot.ok("note issue written by another replica", ic)
    execute(server, ic, "note issue decided on the shared read")  # Conflict, then decided on a fresh read
    assert note_count(server, cutover_id, "decided on the shared read") == 1
    assert note_count(server, cutover_id, "by another replica") == 1


def test_another_process_is_seen_once_the_shared_read_is_older_than_the_window(plan, roster, db_url):
    bot, server, clock = sharing(plan, roster, db_url, 0.02)
    ic = bot.person("incident_commander")
    for sid in ("0.1", "0.2", "0.3"):
        bot.do_step(sid)  # another process opens Gate 1
    clock.now += 0.021
    execute(server, ic, "gate approve 1")
    with pytest.raises(InvalidTransition) as refused:
        execute(server, ic, "gate approve 1")
    assert "already approved" in refusal_words(refused.value)
    approvals = [
        r
        for r in eventlog.history(engine=server.ledger.db, cutover_id=server.ledger.current().cutover_id)
        if r.event.kind == "gate.approved"
    ]
    assert len(approvals) == 1


def test_a_retried_request_is_recognised_from_the_keys_read_with_the_state(plan, roster, db_url, monkeypatch):
    bot = CommandBot(plan, roster, db_url, T0)
    bot.to_started()
    ops = bot.person(plan.steps_by_id["0.1"].raci.R[0])
    other = replica(bot)
    execute(other, ops, "step start 0.1", key="slash:first-delivery")  # applied by another replica
    execute(bot.services, ops, "note issue keep the cache warm", key="slash:note")

    def no_lookup(**kwargs):
        raise AssertionError("the key was looked up on its own, not read with the state")

    monkeypatch.setattr(eventlog, "was_applied", no_lookup)
    for delivery in ("slash:first-delivery", "slash:note"):
        reply = execute(bot.services, ops, "step start 0.1", key=delivery)
        assert reply.template == "replies/already_applied.j2"
    cutover_id = bot.state.cutover_id
    assert note_count(bot.services, cutover_id, "keep the cache warm") == 1


def test_sqlite_reads_cannot_write(tmp_path):
    engine = create_db_engine(f"sqlite:///{tmp_path / 'cutover.db'}")
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        read_rows(engine, "DELETE FROM events WHERE seq > ?", (0,))


def test_while_one_request_reads_the_others_go_on_with_the_cached_state(plan, roster, db_url, monkeypatch):
    _, server, clock = sharing(plan, roster, db_url, 0.02)
    clock.now += 1.0  # the shared read is old: the next request reads
    real = eventlog.cutovers_and_news
    meanwhile = []

    def slow_read(**kwargs):
        meanwhile.append(server.ledger.current())  # another request, while this read is in flight
        return real(**kwargs)

    monkeypatch.setattr(eventlog, "cutovers_and_news", slow_read)
    reads = count_reads(monkeypatch, server)
    state = server.ledger.current()
    assert len(reads) == 1 and len(meanwhile) == 1
    assert meanwhile[0].cutover_id == state.cutover_id


def test_a_failed_read_lets_the_next_request_read(plan, roster, db_url, monkeypatch):
    _, server, clock = sharing(plan, roster, db_url, 0.02)
    clock.now += 1.0
    real = eventlog.cutovers_and_news

    def broken(**kwargs):
        raise OSError("the database went away")

    monkeypatch.setattr(eventlog, "cutovers_and_news", broken)
    with pytest.raises(OSError):
        server.ledger.current()
    monkeypatch.setattr(eventlog, "cutovers_and_news", real)
    reads = count_reads(monkeypatch, server)
    assert server.ledger.current() is not None
    assert len(reads) == 1  # not served from the claim of the read that failed


def test_a_cutover_ended_and_a_new_one_scheduled_here_are_current_at_once_while_reads_are_shared(
    plan, roster, db_url
):
    bot, server, _ = sharing(plan, roster, db_url, 60.0)  # the clock never moves: every read would be shared
    ic = bot.person("incident_commander")
    first = server.ledger.current()
    execute(server, ic, "abort the bridge is down")
    assert server.ledger.current().status == "aborted"
    execute(server, ic, "schedule 2026-12-09 02:00")
    second = server.ledger.current()
    assert second.cutover_id != first.cutover_id and second.status == "scheduled"
    assert f"— {second.cutover_id}\n" in reply_text(execute(server, ic, "status"))
