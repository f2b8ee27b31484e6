"""Seed 4.3: "If decision cannot be made in 2 minutes, default to full rollback" — the bot orders it."""

from __future__ import annotations

from datetime import timedelta

from bot.timeline.record import BOT
from tests.scenarios.console import IC, NET, THROUGH_GATE1, play, steps_script

ONE_B_FAILS = """
@U02BBBB /cutover step start 1B.1
+30s
@U02BBBB /cutover step done 1B.1
@U02BBBB /cutover step start 1B.2
+1m
@U02BBBB /cutover step fail 1B.2 global cluster switchover refused: replication lag 95s
@U01AAAA /cutover status
"""


def _one_b_failed(plan, roster):
    return play(plan, roster, THROUGH_GATE1 + steps_script(plan, roster, "1A") + ONE_B_FAILS)


def test_no_decision_in_two_minutes_orders_the_full_rollback(plan, roster):
    played = _one_b_failed(plan, roster)
    failed_at = played.events("step.failed")[-1].at
    assert "Runbook recommends: *Rollback Phase 1A* (R1)" in played.reply("status")
    played = play(plan, roster, "+1m\n+59s\n", session=played.session)
    assert played.events("rollback.ordered") == [], "nothing is ordered inside the two minutes"
    played = play(plan, roster, "+1s\n@U01AAAA /cutover status\n", session=played.session)
    [ordered] = played.events("rollback.ordered")
    assert ordered.at == failed_at + timedelta(minutes=2)
    assert ordered.actor == BOT and ordered.event.rule == "decision_timeout"
    assert ordered.event.procedure == "R2" and ordered.event.recommended == "R1"
    assert played.state.status == "rolling_back" and played.state.rollback.rule == "decision_timeout"
    [announced] = played.posts("ordered by the runbook's rule")
    assert announced.get("reply_broadcast") is True
    assert "RTO 19 min" in announced["text"] and "The runbook recommended R1" in announced["text"]
    assert f"<@{NET}>" in announced["text"], "opened to the people who run R2"
    assert any("R2.1" in p["text"] and f"<@{NET}>" in p["text"] for p in played.posts("ready to start"))
    assert not [x for x in played.lines if "0:03:30" in str(x) or "0:19:00" in str(x)]


def test_the_incident_commander_can_still_order_another_procedure(plan, roster):
    played = play(plan, roster, "+2m\n+1s\n", session=_one_b_failed(plan, roster).session)
    assert played.state.rollback.procedure == "R2"
    played = play(
        plan, roster, "@U01AAAA /cutover rollback R1 split infrastructure only\n", session=played.session
    )
    assert "RTO 3.5 min" in played.reply("rollback R1")
    assert [r.event.procedure for r in played.events("rollback.ordered")] == ["R2", "R1"]
    assert played.events("rollback.ordered")[-1].actor == IC
    assert played.state.rollback.procedure == "R1"


def test_a_decision_inside_two_minutes_leaves_nothing_to_default(plan, roster):
    played = _one_b_failed(plan, roster)
    played = play(
        plan, roster, "+1m\n@U01AAAA /cutover rollback R1 as recommended\n+10m\n", session=played.session
    )
    assert [(r.actor, r.event.procedure) for r in played.events("rollback.ordered")] == [(IC, "R1")]


def test_the_runbook_can_say_recommend_instead_of_order(plan, roster):
    relaxed = plan.model_copy(
        update={"escalations": plan.escalations.model_copy(update={"decision_timeout_action": "recommend"})}
    )
    played = _one_b_failed(relaxed, roster)
    played = play(relaxed, roster, "+2m\n+1s\n", session=played.session)
    assert played.events("rollback.ordered") == []
    [default] = played.events("rollback.default_recommended")
    assert default.event.procedure == "R2"
    [post] = played.posts(":warning: *No rollback decision within 2m.*")
    assert "RTO 19 min" in post["text"] and "`/cutover rollback R2 &lt;reason&gt;`" in post["text"]
