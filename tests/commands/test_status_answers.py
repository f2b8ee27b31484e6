"""/cutover status is computed once per state and second, and never shows an older state."""

from __future__ import annotations

from tests.conftest import T0
from tests.support.bot import CommandBot


def test_status_of_the_same_state_and_second_is_one_answer_and_moves_with_the_state_and_the_clock(
    plan, roster
):
    bot = CommandBot(plan, roster, "sqlite://", T0)
    bot.to_started()
    ic, ops = bot.person("incident_commander"), bot.person(plan.steps_by_id["0.1"].raci.R[0])
    first = bot.run("status", ic)
    bot.advance(seconds=0.5)
    assert bot.run("status", ops) == first  # same state, same second: everybody gets the same answer
    assert "Time: 01:00:00 UTC" in first
    bot.ok("step start 0.1", ops)
    started = bot.run("status", ic)
    assert started != first and "0.1 - Monitor dashboard" in started  # a new event is shown at once
    bot.advance(seconds=0.5)
    later = bot.run("status", ic)
    assert "Time: 01:00:01 UTC" in later and later != started
