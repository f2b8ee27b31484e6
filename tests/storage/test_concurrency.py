"""Optimistic concurrency: simultaneous commands from several replicas over one database."""

from __future__ import annotations

import threading

import pytest

from bot.bootstrap import build_services
from bot.slack.replies import error_text, refusal_words, reply_text
from cutover.state import Status
from storage import eventlog
from tests.conftest import T0
from tests.support.bot import CommandBot
from tests.test_helpers import run_to_gate5


def replicas(bot, n):
    """n independent service stacks (as n bot replicas) over the same database and clock."""
    url = bot.services.ledger.db.url.render_as_string(hide_password=False)
    return [
        build_services(runbook=bot.plan, roster=bot.roster, database_url=url, clock=bot.clock)
        for _ in range(n)
    ]


def hammer(services_list, calls):
    """Run (services, actor, text) calls at the same moment from threads; return the outcomes."""
    from commands.run import execute
    from cutover.errors import CutoverError

    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def worker(i, services, actor, text):
        barrier.wait()
        try:
            execute(services, actor, text)
            outcomes[i] = "ok"
        except CutoverError as exc:
            outcomes[i] = refusal_words(exc)

    threads = [threading.Thread(target=worker, args=(i, *call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


def test_fifty_simultaneous_approvals_give_one_approval_per_approver(plan, roster, db_url):
    bot = CommandBot(plan, roster, db_url, T0)
    run_to_gate5(bot)
    ic, mgmt = bot.person("incident_commander"), bot.person("management")
    stacks = replicas(bot, 5)
    calls = [(stacks[i % 5], ic if i % 2 == 0 else mgmt, "gate approve 5") for i in range(50)]
    outcomes = hammer(stacks, calls)
    assert outcomes.count("ok") == 2, outcomes
    expected = ("already approved", "different person", "the cutover has succeeded")
    assert all(o == "ok" or any(e in o for e in expected) for o in outcomes), outcomes
    cutover_id = bot.state.cutover_id
    approvals = [
        r
        for r in eventlog.history(engine=bot.services.ledger.db, cutover_id=cutover_id)
        if r.event.kind == "gate.approved" and r.event.gate == 5
    ]
    assert sorted(r.actor for r in approvals) == sorted([ic, mgmt])
    assert bot.state.status == Status.SUCCEEDED
    assert eventlog.verify(engine=bot.services.ledger.db, cutover_id=cutover_id).ok


def decided_on_the_same_view(first, second):
    """Force the race: `second` reads the log (no cutover yet) and waits; `first` then runs its whole
    command; `second` decides on what it read and appends. Later reads (after a Conflict) pass."""
    second_read, first_done = threading.Event(), threading.Event()
    read_first, read_second = first.ledger.current, second.ledger.current

    def first_reads(*args, **kwargs):
        assert second_read.wait(30)
        return read_first(*args, **kwargs)

    def second_reads(*args, **kwargs):
        state = read_second(*args, **kwargs)
        if not second_read.is_set():
            second_read.set()
            assert first_done.wait(30)
        return state

    first.ledger.current, second.ledger.current = first_reads, second_reads
    return first_done


def run_in_thread(services, actor, text, outcomes, index, done=None):
    """execute() in a thread: its reply text, or the refusal's words."""
    from commands.run import execute
    from cutover.errors import CutoverError

    def work():
        try:
            outcomes[index] = reply_text(execute(services, actor, text))
        except CutoverError as exc:
            outcomes[index] = error_text(exc)
        finally:
            if done is not None:
                done.set()

    thread = threading.Thread(target=work)
    thread.start()
    return thread


def test_two_people_scheduling_at_once_make_one_cutover(plan, roster, db_url):
    bot = CommandBot(plan, roster, db_url, T0)
    first, second = replicas(bot, 2)
    ic, mgmt = bot.person("incident_commander"), bot.person("management")
    first_done = decided_on_the_same_view(first, second)
    outcomes: list = [None, None]
    threads = [
        run_in_thread(first, ic, "schedule 2026-12-02 02:00", outcomes, 0, done=first_done),
        run_in_thread(second, mgmt, "schedule 2026-12-03 02:00", outcomes, 1),
    ]
    for thread in threads:
        thread.join(timeout=60)

    assert len(bot.services.ledger.ids()) == 1  # one cutover, though both decided "none yet: a new one"
    assert bot.state.status == Status.SCHEDULED
    # the second is decided again on the fresh log: it moves the window of the cutover the first made,
    # exactly what a second schedule after the first gives in one process
    first_reply, second_reply = outcomes
    assert first_reply.startswith(":calendar: Cutover planned: *2026-12-02 02:00 UTC*")
    assert second_reply.startswith(
        ":calendar: Window moved from 2026-12-02 02:00 UTC: *2026-12-03 02:00 UTC*"
    )
    assert bot.state.window_start.isoformat() == "2026-12-03T02:00:00+00:00"
    assert eventlog.verify(engine=bot.services.ledger.db, cutover_id=bot.state.cutover_id).ok


def test_a_second_cutover_after_the_same_ended_one_is_refused_by_the_database(db_url):
    """The claim itself: whoever appends a new cutover after the same predecessor second gets a Conflict."""
    from cutover import events as ev
    from storage.db import create_db_engine
    from storage.eventlog import Conflict, Pending, append

    engine = create_db_engine(db_url)
    planned = [Pending("U1", T0, ev.CutoverPlanned(runbook_id="nxop", title="t"))]
    append(engine=engine, cutover_id="nxop-1", batch=planned, expected_seq=0, follows="")
    with pytest.raises(Conflict):  # a replica that saw no cutover either, and picked another id
        append(engine=engine, cutover_id="nxop-2", batch=planned, expected_seq=0, follows="")
    append(engine=engine, cutover_id="nxop-2", batch=planned, expected_seq=0, follows="nxop-1")
    with pytest.raises(Conflict):
        append(engine=engine, cutover_id="nxop-3", batch=planned, expected_seq=0, follows="nxop-1")
    assert eventlog.cutover_ids(engine=engine) == ["nxop-1", "nxop-2"]
    engine.dispose()
