"""The channel view: one parent message kept current, updates in its thread, decisions broadcast."""

from __future__ import annotations

from tests.support.slack_bot import IC, MGMT, OPS
from tests.timeline.harness import run_to_success


def test_the_parent_is_posted_once_then_updated(cutover_bot):
    cutover_bot.to_started()
    cutover_bot.through_phase0()
    parents = [p for p in cutover_bot.posted() if "thread_ts" not in p]
    assert len(parents) == 1
    assert parents[0]["blocks"][0]["text"]["text"] == "Cutover nxop-region-switch-1"
    parent_ts = cutover_bot.client.messages[0].ts
    updates = [u for u in cutover_bot.posted("chat.update") if u["ts"] == parent_ts]
    others = [u for u in cutover_bot.posted("chat.update") if u["ts"] != parent_ts]
    assert updates and len(others) == 1 and "Gate 1 is open" in others[0]["text"]  # the gate's card
    assert "executing" in updates[-1]["text"]
    progress = updates[-1]["blocks"][2]["text"]["text"]
    assert ":white_check_mark: Phase 0 Continuous Readiness Validation — 3/3" in progress


def test_updates_go_in_the_parents_thread(cutover_bot):
    cutover_bot.to_started()
    cutover_bot.run("step start 0.1", as_user=OPS)
    parent_ts = cutover_bot.client.messages[0].ts
    replies = [p for p in cutover_bot.posted() if "thread_ts" in p]
    assert replies and all(p["thread_ts"] == parent_ts for p in replies)
    texts = [p["text"] for p in replies]
    assert ":arrow_forward: `0.1` Monitor dashboard started by <@U01BBBB>." in texts
    assert any(t.startswith(":large_blue_circle: `0.1` Monitor dashboard is ready to start") for t in texts)


def test_decisions_are_broadcast_and_progress_is_not(cutover_bot):
    cutover_bot.to_started()
    cutover_bot.through_phase0()
    broadcast = [p["text"] for p in cutover_bot.posted() if p.get("reply_broadcast")]
    assert any("*GO*" in t for t in broadcast)
    assert any(t.startswith(":white_check_mark: Gate 1 approved by <@U01AAAA>") for t in broadcast)
    assert not any("Monitor dashboard done" in t for t in broadcast)


def test_gate_cards_carry_approve_and_reject_for_the_approvers(cutover_bot):
    cutover_bot.to_started()
    for step, who in (("0.1", OPS), ("0.2", OPS), ("0.3", IC)):
        cutover_bot.run(f"step start {step}", as_user=who)
        cutover_bot.run(f"step done {step}", as_user=who)
    card = next(
        p for p in cutover_bot.posted() if p["text"].startswith(":vertical_traffic_light: Gate 1 is open")
    )
    actions = next(b for b in card["blocks"] if b["type"] == "actions")
    assert [(e["action_id"], e["value"]) for e in actions["elements"]] == [
        ("gate_approve", "1"),
        ("gate_reject", "1"),
    ]
    assert "<@U01AAAA>" in card["blocks"][1]["elements"][0]["text"]


def test_gate_5_broadcasts_only_the_completing_approval_and_the_success(cutover_bot):
    cutover_bot.to_started()
    cutover_bot.through_phase0()
    plan = cutover_bot.services.plan
    for phase in [p for p in plan.phases if p.stage > 0]:
        for step in phase.steps:
            who = cutover_bot.services.roster.members_of(step.raci.R[0])[0].slack_id
            cutover_bot.run(f"step start {step.id}", as_user=who)
            cutover_bot.run(f"step done {step.id}", as_user=who)
        for gate in plan.gates:
            if cutover_bot.state.gate(gate.number).status == "open" and gate.number != 5:
                cutover_bot.run(f"gate approve {gate.number}", as_user=IC)
    cutover_bot.run("gate approve 5", as_user=IC)
    partial = cutover_bot.posted()[-1]
    assert "It still needs Management" in partial["text"] and "reply_broadcast" not in partial
    cutover_bot.run("gate approve 5", as_user=MGMT)
    assert cutover_bot.state.status == "succeeded"
    last = [p for p in cutover_bot.posted() if p.get("reply_broadcast")][-2:]
    assert last[0]["text"].startswith(":white_check_mark: Gate 5 approved by <@U03AAAA> as Management")
    assert last[1]["text"] == ":tada: Cutover *nxop-region-switch-1* succeeded: every gate is approved."
    assert "succeeded" in cutover_bot.posted("chat.update")[-1]["text"]


def test_the_parent_is_updated_only_when_it_changes(cutover_bot, plan):
    cutover_bot.to_started()
    before = len(cutover_bot.posted("chat.update"))
    cutover_bot.run("note issue the bridge audio drops now and then", as_user=IC)  # the parent shows no notes
    assert len(cutover_bot.posted("chat.update")) == before
    cutover_bot.run("step start 0.1", as_user=OPS)
    assert len(cutover_bot.posted("chat.update")) == before + 1
    cutover_bot.run("step done 0.1", as_user=OPS)
    run_to_success(cutover_bot, step_minutes=0.5)
    finished = len(cutover_bot.posted("chat.update"))
    cutover_bot.advance(minutes=6 * 60)  # monitoring checkpoints and communications after the end
    assert len(cutover_bot.posted("chat.update")) == finished
    assert "succeeded" in cutover_bot.posted("chat.update")[-1]["text"]
