"""Buttons and modals through App.dispatch: the same commands, the same RACI, applied once."""

from __future__ import annotations

from tests.support.slack_bot import DBA, IC, MGMT, OPS


def test_a_step_runs_from_its_cards_buttons(cutover_bot):
    cutover_bot.to_started()
    assert cutover_bot.click("step_start", "0.1", as_user=OPS) == [
        ":arrow_forward: `0.1` Monitor dashboard started (timeout 5m)."
    ]
    shown = cutover_bot.click("step_done", "0.1", as_user=OPS)
    assert shown == [":white_check_mark: `0.1` Monitor dashboard done."]
    assert cutover_bot.state.step("0.1").status == "done"
    assert cutover_bot.state.step("0.1").ended_by == OPS


def test_a_raci_denial_on_a_click_is_private_and_recorded(cutover_bot):
    cutover_bot.to_started()
    shown = cutover_bot.click("step_start", "0.1", as_user=DBA)
    answer = cutover_bot.answers()[-1]  # through the click's response_url, to the clicker only
    assert (answer["user"], answer["command"], answer["response_type"]) == (
        DBA,
        "click step_start",
        "ephemeral",
    )
    assert cutover_bot.posted("chat.postEphemeral") == []
    assert shown[0].startswith(":lock: Not allowed: `/cutover step start 0.1`")
    assert "Marcus Hill" in shown[0]
    assert cutover_bot.state.step("0.1").status == "pending"
    assert cutover_bot.state.denials == 1


def test_the_failed_button_opens_the_modal_before_any_database_work(cutover_bot, monkeypatch):
    cutover_bot.to_started()
    cutover_bot.click("step_start", "0.1", as_user=OPS)
    session = cutover_bot.session
    message, button = session.find_button(OPS, "step_fail", "0.1")

    def no_database(*args, **kwargs):
        raise AssertionError("the database was used before the modal opened")

    ledger = cutover_bot.services.ledger
    for name in ("current", "state", "record", "ids"):
        monkeypatch.setattr(ledger, name, no_database)
    monkeypatch.setattr("storage.eventlog.was_applied", no_database)
    session.dispatch(
        session.requests.block_action(
            OPS,
            channel=message.channel,
            message_ts=message.ts,
            message={"ts": message.ts, "blocks": message.blocks},
            action={"action_id": "step_fail", "value": "0.1", "block_id": "step:0.1"},
            action_ts="1.1",
            trigger_id="777.trigger",
        )
    )
    opened = cutover_bot.posted("views.open")
    assert [o["trigger_id"] for o in opened] == ["777.trigger"]
    assert opened[0]["view"]["callback_id"] == "cutover_reason"
    monkeypatch.undo()
    assert cutover_bot.state.step("0.1").status == "in_progress"


def test_the_modal_submission_runs_the_command_with_the_reason(cutover_bot):
    cutover_bot.to_started()
    cutover_bot.click("step_start", "0.1", as_user=OPS)
    shown = cutover_bot.click(
        "step_fail", "0.1", as_user=OPS, reason="alarm nxop-usw2-readiness-msk in ALARM"
    )
    assert shown[0].startswith(":x: `0.1` Monitor dashboard failed: alarm nxop-usw2-readiness-msk in ALARM")
    assert cutover_bot.state.step("0.1").note == "alarm nxop-usw2-readiness-msk in ALARM"


def test_a_denied_person_gets_no_modal(cutover_bot):
    cutover_bot.to_started()
    cutover_bot.through_phase0()
    cutover_bot.run("step start 1A.1", as_user=OPS)
    shown = cutover_bot.click("step_fail", "1A.1", as_user=MGMT, reason="not mine")
    assert cutover_bot.posted("views.open") == []
    assert shown[0].startswith(":lock: Not allowed: `/cutover step fail 1A.1`")
    assert cutover_bot.state.step("1A.1").status == "in_progress"


def test_reject_and_rollback_buttons_ask_the_reason_then_apply(cutover_bot):
    cutover_bot.to_started()
    for step in ("0.1", "0.2"):
        cutover_bot.click("step_start", step, as_user=OPS)
        cutover_bot.click("step_done", step, as_user=OPS)
    cutover_bot.click("step_start", "0.3", as_user=IC)
    cutover_bot.click("step_done", "0.3", as_user=IC)
    cutover_bot.click("gate_approve", "1", as_user=IC)
    for step in ("1A.1", "1A.2", "1A.3", "1A.4"):
        cutover_bot.click("step_start", step, as_user=OPS)
        cutover_bot.click("step_done", step, as_user=OPS)
    cutover_bot.click("gate_reject", "2", as_user=IC, reason="clients flapping")
    assert cutover_bot.state.gate(2).status == "rejected"
    rollback_buttons = [
        b
        for b in cutover_bot.session.find_button(IC, "rollback", "R1")[0].blocks
        if b.get("type") == "actions"
    ][0]["elements"]
    assert all("confirm" in button for button in rollback_buttons)  # rollback and abort ask first
    cutover_bot.click("rollback", "R1", as_user=IC, reason="readiness dropped")
    assert cutover_bot.state.status == "rolling_back"
    assert cutover_bot.state.rollback.reason == "readiness dropped"
    assert len(cutover_bot.posted("views.open")) == 2


def test_a_repeated_click_is_applied_once(cutover_bot):
    cutover_bot.to_started()
    cutover_bot.click("step_start", "0.1", as_user=OPS)
    cutover_bot.click("step_done", "0.1", as_user=OPS)
    seq = cutover_bot.state.seq
    cutover_bot.session.redeliver()  # the same action (user, action_id, action_ts) delivered again
    assert cutover_bot.state.seq == seq
    assert "already applied" in cutover_bot.answers()[-1]["text"]
    assert sum("`0.1` Monitor dashboard done by" in t for t in cutover_bot.thread()) == 1


def test_a_repeated_modal_submission_is_applied_once(cutover_bot):
    cutover_bot.to_started()
    cutover_bot.click("step_start", "0.1", as_user=OPS)
    cutover_bot.click("step_fail", "0.1", as_user=OPS, reason="alarm")
    seq = cutover_bot.state.seq
    cutover_bot.session.redeliver()  # the same view id and hash
    assert cutover_bot.state.seq == seq
    assert sum("failed (<@U01BBBB>)" in t for t in cutover_bot.thread()) == 1


def test_the_start_button_asks_for_confirmation(cutover_bot):
    cutover_bot.run("schedule 2026-12-01 03:00", as_user=IC)
    cutover_bot.run("go-nogo override checked on the bridge", as_user=IC)
    cutover_bot.run("go-nogo approve-override agreed", as_user=MGMT)
    cutover_bot.run("go-nogo go all green", as_user=IC)
    cutover_bot.run("go-nogo override starting two hours early is agreed", as_user=IC)
    cutover_bot.run("go-nogo approve-override agreed", as_user=MGMT)
    _, button = cutover_bot.session.find_button(IC, "cutover_start", None)
    assert button["confirm"]["confirm"]["text"] == "Start"
    cutover_bot.click("cutover_start", as_user=IC)
    assert cutover_bot.state.status == "executing"
