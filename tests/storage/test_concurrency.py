"""Optimistic concurrency: simultaneous commands from several replicas over one database."""

from __future__ import annotations

import threading

from bot.bootstrap import build_services
from bot.slack.replies import refusal_words
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


def test_two_people_scheduling_at_once_make_one_cutover(plan, roster, db_url):
    bot = CommandBot(plan, roster, db_url, T0)
    stacks = replicas(bot, 2)
    ic, mgmt = bot.person("incident_commander"), bot.person("management")
    outcomes = hammer(
        stacks, [(stacks[0], ic, "schedule 2026-12-02 02:00"), (stacks[1], mgmt, "schedule 2026-12-03 02:00")]
    )
    assert outcomes == ["ok", "ok"]
    assert len(bot.services.ledger.ids()) == 1
    assert bot.state.status == Status.SCHEDULED
