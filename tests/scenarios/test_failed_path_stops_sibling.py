"""Seed 2.4: "If either path fails, abort both" — a failed Phase 1 path stops the other one."""

from __future__ import annotations

from tests.scenarios.console import DBA, THROUGH_GATE1, play

ONE_A_FAILS_WHILE_1B_RUNS = """
@U01BBBB /cutover step start 1A.1
@U02BBBB /cutover step start 1B.1
+30s
@U02BBBB /cutover step done 1B.1
+20s
@U01BBBB /cutover step fail 1A.1 routing control stuck: clients still on us-east-1
"""


def test_the_sibling_s_unstarted_steps_are_refused_with_the_reason(plan, roster):
    played = play(
        plan, roster, THROUGH_GATE1 + ONE_A_FAILS_WHILE_1B_RUNS + "@U02BBBB /cutover step start 1B.2\n"
    )
    refusal = played.reply("step start 1B.2")
    assert "Phase 1A failed at 1A.1" in refusal and "abort both" in refusal
    assert played.state.step("1B.2").status == "pending", "the DocumentDB failover never ran"
    [stopped] = played.events("path.stopped")
    assert stopped.event.phase == "1B" and stopped.event.failed_step == "1A.1" and stopped.event.running == []
    assert played.posts("Phase 1B stops too")
    assert not [p for p in played.session.posted() if "Stop `" in p["text"]], "nobody ran a 1B step: no DM"
    played = play(plan, roster, "@U01AAAA /cutover status\n", session=played.session)
    assert "Runbook recommends: *Rollback 1A, Abort 1B* (R1)" in played.reply("status")


def test_whoever_runs_a_started_step_is_told_to_stop_and_report(plan, roster):
    script = THROUGH_GATE1 + ONE_A_FAILS_WHILE_1B_RUNS.replace(
        "+20s\n", "@U02BBBB /cutover step start 1B.2\n+20s\n"
    )
    played = play(plan, roster, script)
    [stopped] = played.events("path.stopped")
    assert stopped.event.running == ["1B.2"]
    [told] = [p for p in played.posts("Phase 1B stops too") if p["channel"] != DBA]  # the thread's
    assert f"<@{DBA}>: stop `1B.2` and report" in told["text"] and told.get("reply_broadcast")
    dms = [p for p in played.session.posted() if p["channel"] == DBA]  # a DM: a post to the user ID
    assert [d["text"].split(" and report")[0] for d in dms] == [
        ":octagonal_sign: Stop `1B.2` Trigger failover"
    ]
    assert "`1A.1` failed, so Phase 1B stops too" in dms[0]["text"] and "step done 1B.2" in dms[0]["text"]
    # the DBA reports the failover did complete: the recommendation follows what 1B actually did
    played = play(
        plan,
        roster,
        "@U02BBBB /cutover step done 1B.2 writer already switched\n@U01AAAA /cutover status\n",
        session=played.session,
    )
    assert "(R2)" in played.reply("status") and "DocumentDB already failed over" in played.reply("status")


def test_retrying_the_failed_step_lets_the_sibling_go_on(plan, roster):
    played = play(
        plan,
        roster,
        THROUGH_GATE1
        + ONE_A_FAILS_WHILE_1B_RUNS
        + "@U01BBBB /cutover step start 1A.1 retry after re-applying the control\n@U02BBBB /cutover step start 1B.2\n",
    )
    assert played.state.step("1B.2").status == "in_progress"
