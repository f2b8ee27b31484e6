"""Property: whatever the steps of time, the commands and the restarts, no key fires twice."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.bootstrap import build_services
from bot.timeline.fire import advance, fire_due
from tests.support.bot import CommandBot
from tests.timeline.conftest import EARLY, WINDOW
from tests.timeline.harness import events

ACTIONS = st.lists(
    st.one_of(
        st.tuples(st.just("advance"), st.integers(min_value=1, max_value=12)),  # minutes
        st.tuples(st.just("fire_again"), st.just(0)),
        st.tuples(st.just("restart"), st.just(0)),
        st.tuples(st.just("step"), st.integers(min_value=0, max_value=6)),
    ),
    min_size=3,
    max_size=8,
)

KEYED = (
    "status.posted",
    "lead.reminded",
    "comm.sent",
    "comm.cancelled",
    "degradation.changed",
    "monitoring.checkpoint",
    "rollback.default_recommended",
)


def key_of(recorded) -> str:
    event = recorded.event
    if event.kind in ("comm.sent", "comm.cancelled"):
        return f"comm:{event.comm_id}"
    if event.kind == "escalation.sent":
        return f"{event.key}:{event.attempt}"
    if event.kind == "degradation.changed":
        return f"degradation:{recorded.seq}"  # changes may repeat a level; their alternation is checked below
    if event.kind == "rollback.default_recommended":
        return f"default:{event.since}"
    return event.key


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(actions=ACTIONS)
def test_no_key_fires_twice(plan, roster, tmp_path_factory, actions):
    url = f"sqlite:///{tmp_path_factory.mktemp('prop') / 'c.db'}"
    bot = CommandBot(plan, roster, url, EARLY)
    ic = bot.person("incident_commander")
    bot.ok("schedule 2026-12-02 02:00", ic)
    advance(bot.services, bot.clock, WINDOW - timedelta(minutes=20))
    bot.go_with_override("property")
    advance(bot.services, bot.clock, WINDOW)
    bot.ok("start", ic)
    steps = [s.id for phase in plan.phases for s in phase.steps]
    for action, n in actions:
        if action == "advance":
            advance(bot.services, bot.clock, bot.clock.now() + timedelta(minutes=n))
        elif action == "fire_again":
            fire_due(bot.services, bot.clock.now())
        elif action == "restart":
            bot.services = build_services(runbook=plan, roster=roster, database_url=url, clock=bot.clock)
        elif bot.state.status == "executing":
            step_id = steps[min(n, len(steps) - 1)]
            who = bot.person(plan.steps_by_id[step_id].raci.R[0])
            bot.run(f"step start {step_id}", who)  # refused when not startable: fine
    fired = [r for r in events(bot) if r.event.kind in KEYED or r.event.kind == "escalation.sent"]
    counts = Counter(key_of(r) for r in fired)
    assert [k for k, n in counts.items() if n > 1] == []
    levels = [r.event.level for r in events(bot, "degradation.changed")]
    assert all(a != b for a, b in zip(levels, levels[1:], strict=False)), levels
