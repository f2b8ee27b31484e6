"""Seed 2.2, Gate 1: "Proceed to Phase 1 or Abort" — before anything is switched there is nothing to roll back."""

from __future__ import annotations

from tests.scenarios.console import PHASE0, STARTED, play

REJECTED = STARTED + PHASE0 + "@U01AAAA /cutover gate reject 1 readiness score fell to 82%\n"


def test_rejecting_gate1_offers_abort_or_green_never_a_rollback(plan, roster):
    played = play(plan, roster, REJECTED + "@U01AAAA /cutover status\n+10m\n")
    answer = played.reply("gate reject 1")
    assert "nothing to roll back" in answer and "rollback decision" not in answer
    assert "Runbook recommends: *Abort* or wait for green" in played.reply("status")
    [thread] = played.posts(":x: Gate 1 rejected by")
    buttons = [e["action_id"] for b in thread["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert buttons == ["abort"], "no rollback button before anything is switched"
    assert played.state.decision_needed_since is None
    escalations = [r.event.trigger for r in played.events("escalation.sent")]
    assert "rollback_decision" not in escalations and "decision_timeout" not in escalations
    assert played.events("rollback.ordered") == [] and played.events("rollback.default_recommended") == []


def test_a_rollback_is_refused_before_anything_is_switched(plan, roster):
    played = play(plan, roster, REJECTED + "@U01AAAA /cutover rollback R2 readiness lost\n")
    assert "nothing has been switched yet" in played.reply("rollback R2")
    assert played.events("rollback.ordered") == []


def test_after_a_rejection_the_ic_waits_for_green_or_aborts(plan, roster):
    played = play(plan, roster, REJECTED + "+15m\n@U01AAAA /cutover gate approve 1 readiness back at 95%\n")
    assert played.state.gate(1).status == "approved" and 1 in played.state.stage_opened
    played = play(plan, roster, REJECTED + "@U01AAAA /cutover abort readiness will not recover tonight\n")
    assert played.state.status == "aborted"
