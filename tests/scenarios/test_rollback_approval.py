"""Seed 4.3 "Management: approves full rollback (if time permits)": asked, never blocking, recorded."""

from __future__ import annotations

from tests.scenarios.console import MGMT, OPS, THROUGH_GATE1, play, steps_script


def _r2_ordered(plan, roster):
    script = (
        THROUGH_GATE1
        + steps_script(plan, roster, "1A")
        + "@U01AAAA /cutover rollback R2 MSK clients flapping between regions\n"
    )
    return play(plan, roster, script)


def test_management_is_asked_and_the_rollback_goes_on_meanwhile(plan, roster):
    played = _r2_ordered(plan, roster)
    [thread] = played.posts(":leftwards_arrow_with_hook: *Rollback R2*")[:1]
    buttons = [e["action_id"] for b in thread["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert buttons == ["rollback_approve", "rollback_object"]
    [asked] = [p for p in played.posts("Please approve it or object") if not p.get("thread_ts")]
    assert asked["channel"].startswith("U") and "rollback_approve" in str(asked["blocks"])
    # the rollback does not wait: its first step runs before Management answers
    played = play(plan, roster, "@U02DDDD /cutover step start R2.1\n", session=played.session)
    assert played.state.step("R2.1").status == "in_progress"
    played = play(plan, roster, f"@{MGMT} click rollback_approve R2\n", session=played.session)
    [approval] = played.events("rollback.approval")
    assert (
        approval.actor == MGMT and approval.event.verdict == "approve" and approval.event.role == "management"
    )
    assert played.posts("Management (<@U03AAAA>) approves rollback R2")
    assert played.state.rollback.verdicts[0][0] == "approve"


def test_an_objection_is_recorded_with_its_reason_and_strangers_cannot_answer(plan, roster):
    played = _r2_ordered(plan, roster)
    played = play(
        plan,
        roster,
        f"@{OPS} /cutover rollback approve looks fine\n"
        f"@{MGMT} /cutover rollback object R2 the business prefers R1 if MSK alone is at fault\n"
        f"@{MGMT} /cutover rollback approve R2 changed my mind\n",
        session=played.session,
    )
    assert played.reply("rollback approve looks fine").startswith(":lock: Not allowed")
    [objection] = played.events("rollback.approval")
    assert objection.event.verdict == "object" and "prefers R1" in objection.event.note
    assert "already answered R2 (object)" in played.reply("changed my mind")
    assert played.state.status == "rolling_back", "an objection never stops the rollback"


def test_a_stale_button_for_a_replaced_rollback_is_refused(plan, roster):
    played = _r2_ordered(plan, roster)
    played = play(
        plan,
        roster,
        f"@U01AAAA /cutover rollback R3 data integrity doubts\n@{MGMT} /cutover rollback approve R2\n",
        session=played.session,
    )
    assert "R2 is no longer the rollback ordered; R3 is" in played.reply("rollback approve R2")
    assert played.events("rollback.approval") == []
