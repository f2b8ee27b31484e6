"""The Phase 1 decision matrix (all six rows), the rollback upgrade, partial-success scenarios."""

from __future__ import annotations

import pytest

from cutover.decisions import phase_outcome, recommend
from templates.render import render

IC = "incident_commander"


def why(advice) -> str:
    """The recommendation's reason in words, as the default-rollback event records it."""
    return render("time/default_rollback_recommended_reason.j2", None, rec=advice)


def open_phase1(bot):
    bot.to_started()
    bot.through_phase0()


def fail(bot, sid):
    step = bot.plan.steps_by_id[sid]
    who = bot.person(step.raci.R[0])
    bot.ok(f"step start {sid}", who)
    bot.ok(f"step fail {sid} injected failure", who)


def finish(bot, phase_id):
    for step in bot.plan.phases_by_id[phase_id].steps:
        bot.do_step(step.id, minutes=0.5)


def end(bot, sid):
    """A started step fails (a path failing after its sibling was stopped still reports)."""
    bot.ok(f"step fail {sid} injected failure", bot.person(bot.plan.steps_by_id[sid].raci.R[0]))


def start_only(bot, sid):
    step = bot.plan.steps_by_id[sid]
    bot.ok(f"step start {sid}", bot.person(step.raci.R[0]))


@pytest.mark.parametrize(
    ("setup", "statuses", "action", "rollback"),
    [
        (lambda b: (finish(b, "1A"), finish(b, "1B")), ("success", "success"), "Proceed to Phase 2", None),
        (lambda b: (finish(b, "1A"), fail(b, "1B.1")), ("success", "failed"), "Rollback Phase 1A", "R1"),
        (lambda b: (finish(b, "1B"), fail(b, "1A.1")), ("failed", "success"), "Rollback Phase 1B", "R2"),
        (
            lambda b: (start_only(b, "1A.1"), start_only(b, "1B.1"), end(b, "1A.1"), end(b, "1B.1")),
            ("failed", "failed"),
            "Rollback both",
            "R2",
        ),
        (
            lambda b: (start_only(b, "1A.1"), fail(b, "1B.1")),
            ("in_progress", "failed"),
            "Abort 1A, Rollback 1B",
            "R2",
        ),
        (
            lambda b: (start_only(b, "1B.1"), fail(b, "1A.1")),
            ("failed", "in_progress"),
            "Rollback 1A, Abort 1B",
            "R1",
        ),
    ],
    ids=["S-S", "S-F", "F-S", "F-F", "IP-F", "F-IP"],
)
def test_each_row_of_the_phase1_decision_matrix(bot, setup, statuses, action, rollback):
    open_phase1(bot)
    setup(bot)
    state = bot.state
    assert (phase_outcome(state, bot.plan, "1A"), phase_outcome(state, bot.plan, "1B")) == statuses
    advice = recommend(state, bot.plan)
    assert advice.action == action
    assert advice.rollback == rollback
    if rollback:
        assert advice.code == "matrix" and advice.data["action"] == action
        status = bot.ok("status", bot.person(IC))
        assert f"Runbook recommends: *{action}* ({rollback}) — decision matrix: 1A " in status


def test_a_done_docdb_failover_upgrades_a_partial_rollback_to_full(bot):
    open_phase1(bot)
    for sid in ("1B.1", "1B.2"):
        bot.do_step(sid, minutes=0.5)
    finish(bot, "1A")
    fail(bot, "1B.3")
    advice = recommend(bot.state, bot.plan)
    assert advice.action == "Rollback Phase 1A"
    assert advice.rollback == "R2"
    assert advice.code == "matrix" and "DocumentDB already failed over" in advice.data["upgrade"]
    assert why(advice) == (
        "decision matrix: 1A success, 1B failed -> Rollback Phase 1A. "
        "DocumentDB already failed over to us-west-2; only a full rollback restores East as primary"
    )


def test_phase2_partial_success_scenario_applies_after_phase1(bot):
    open_phase1(bot)
    finish(bot, "1A")
    finish(bot, "1B")
    bot.ok("gate approve 2", bot.person(IC))
    bot.ok("gate approve 3", bot.person(IC))
    finish(bot, "2A")
    fail(bot, "2B.1")
    advice = recommend(bot.state, bot.plan)
    assert advice.scenario is not None and advice.scenario.when.failed == ["2B"]
    assert advice.rollback == "R2"
    assert advice.code == "scenario"
    assert why(advice) == f"{advice.scenario.title}: {advice.scenario.reason}"
    assert "AMQP" in advice.action or "AMQP" in why(advice)


def test_rollback_reply_warns_when_the_ic_departs_from_the_recommendation(bot):
    open_phase1(bot)
    finish(bot, "1A")
    fail(bot, "1B.1")
    out = bot.ok("rollback R2 being careful", bot.person(IC))
    assert "The runbook recommended R1" in out
    assert bot.state.rollback.recommended == "R1"
