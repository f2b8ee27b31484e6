"""Seed 4.4: post-rollback checklists tracked; R2.6 runs the bot's data validation; R3 contains R2's steps."""

from __future__ import annotations

from tests.scenarios.console import DBA, IC, OPS, THROUGH_GATE1, play

R1_DONE = (
    THROUGH_GATE1
    + """
@U01BBBB /cutover step start 1A.1
+30s
@U01BBBB /cutover step fail 1A.1 routing control stuck
@U01AAAA /cutover rollback R1 MSK only
@U01BBBB /cutover step start R1.1
+30s
@U01BBBB /cutover step done R1.1
@U01BBBB /cutover step start R1.2
+1m
@U01BBBB /cutover step done R1.2
@U01BBBB /cutover step start R1.3
+2m
@U01BBBB /cutover step done R1.3
"""
)


def test_rollback_is_complete_only_when_each_item_is_confirmed_by_its_role(plan, roster):
    played = play(plan, roster, R1_DONE + "@U01AAAA /cutover status\n+5m\n")
    assert played.state.status == "rolling_back" and played.events("rollback.completed") == []
    assert "post-rollback checklist" in played.reply("step done R1.3")
    [opened] = played.posts(":clipboard: Every step of rollback R1 is done")
    assert "6. Data Consistency: No message loss — Database Admin" in opened["text"]
    assert "Post-rollback checklist: 0 of 7 confirmed; open: 1 (operations)" in played.reply("status")
    assert not played.posts("Maintenance complete"), "no all-clear before the checklist"
    assert not played.posts("Rollback R1 complete")
    played = play(
        plan,
        roster,
        f"@{OPS} /cutover rollback confirm 6 I checked the counts\n"
        f"@{DBA} /cutover rollback confirm 6 counts match the baseline\n"
        f"@{OPS} /cutover rollback confirm all\n"
        f"@{DBA} /cutover rollback confirm all\n",
        session=played.session,
    )
    assert "is confirmed by Database Admin" in played.reply("confirm 6 I checked")
    assert played.state.status == "rolling_back", "item 7 is the Incident Commander's"
    assert [r.event.item for r in played.events("rollback.item_confirmed")] == [6, 1, 2, 3, 4, 5]
    played = play(
        plan, roster, f"@{IC} /cutover rollback confirm 7 stakeholders told\n+1m\n", session=played.session
    )
    assert "rollback R1 is complete" in played.reply("confirm 7")
    [completed] = played.events("rollback.completed")
    assert completed.at == played.events("rollback.item_confirmed")[-1].at
    assert played.state.status == "rolled_back"
    comms = [r.event.comm_id for r in played.events("comm.sent")]
    assert "T+completion" in comms


def test_r3_contains_r2_s_steps(plan, roster):
    r3 = [s.id for s in plan.rollbacks_by_id["R3"].steps]
    assert r3 == ["R3.1", "R3.2", *(f"R2.{i}" for i in range(1, 8)), "R3.4", "R3.5"]
    played = play(
        plan,
        roster,
        THROUGH_GATE1
        + "@U01BBBB /cutover step start 1A.1\n@U01AAAA /cutover rollback R3 corruption suspected\n"
        + "@U02DDDD /cutover step start R3.1\n+1m\n@U02DDDD /cutover step done R3.1\n"
        + "@U02BBBB /cutover step start R3.2\n+5m\n@U02BBBB /cutover step done R3.2\n"
        + "@U02DDDD /cutover step start R2.1\n",
    )
    assert played.state.step("R2.1").status == "in_progress", played.reply("step start R2.1")
    assert (
        plan.rollbacks_by_id["R2"].steps[5].validates_data
        and plan.rollback_steps_by_id["R2.6"].validates_data
    )
