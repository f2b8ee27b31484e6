"""/cutover through App.dispatch with signed requests: answers, refusals, retries, unexpected errors."""

from __future__ import annotations

import pytest

from tests.support.slack_bot import DBA, IC, MGMT, OPS


def refused(text: str) -> bool:
    """The marks of the refusal templates (error/*.j2): bad arguments, invalid transition, denial."""
    return "Usage: `/cutover" in text or ":no_entry: Not done:" in text or ":lock: Not allowed:" in text


def test_every_verb_answers_privately_in_the_ack(cutover_bot):
    expectations = [
        ("help", IC, "status"),
        ("plan 1A.3", OPS, "Security group cordon"),
        ("whoami", DBA, "Database Admin"),
        ("roster", IC, "Rachel Grant"),
        ("schedule 2026-12-01 03:00", IC, "2026-12-01 03:00 UTC"),
        ("go-nogo", IC, ""),
        ("go-nogo override checked on the bridge", IC, "override"),
        ("go-nogo approve-override agreed", MGMT, "pproved"),
        ("go-nogo go all green", IC, "GO"),
        ("start", IC, "cannot start now"),
        ("go-nogo override starting two hours early is agreed", IC, "Start within the window"),
        ("go-nogo approve-override agreed", MGMT, "pproved"),
        ("start", IC, "Cutover started"),
        ("status", MGMT, "Phase: 0 - Continuous Readiness Validation"),
        ("step start 0.1", OPS, "0.1"),
        ("step done 0.1", OPS, "done"),
        ("pause DNS vendor call", IC, "aused"),
        ("resume", IC, "esumed"),
        ("note lesson keep the bridge open", DBA, "Lesson recorded"),
        ("audit verify", MGMT, "hash chain intact"),
        ("rollback R1 readiness dropped", IC, "nothing has been switched yet"),
        ("step start 0.2", OPS, "0.2"),
        ("step done 0.2", OPS, "done"),
        ("step start 0.3", IC, "0.3"),
        ("step done 0.3", IC, "done"),
        ("gate approve 1", IC, "Gate 1"),
        ("step start 1A.1", OPS, "1A.1"),
        ("rollback R1 readiness dropped", IC, "R1"),
        ("step start R1.1", OPS, "R1.1"),
        ("abort window lost", IC, "bort"),
    ]
    for text, user, expected in expectations:
        answer = cutover_bot.run(text, as_user=user)
        assert answer["response_type"] == "ephemeral", text
        assert not refused(answer["text"]) or expected in (
            "cannot start now",
            "nothing has been switched yet",
        ), f"{text}: {answer['text']}"
        assert expected in answer["text"], f"{text}: {answer['text']}"


@pytest.mark.parametrize(
    ("text", "user", "expected"),
    [
        ("stauts", IC, "Did you mean `status`?"),
        ("schedule", IC, "Usage: `/cutover schedule"),
        ("gate approve", IC, "missing the gate number"),
        ("step start 1A.9", OPS, "no step 1A.9; Phase 1A has 1A.1-1A.4"),
        ("gate approve 7", IC, "no Gate 7; the runbook has Gates 1-5"),
        ("start", IC, "there is no cutover yet"),
        ("schedule 2026-12-02 02:00", OPS, "Not allowed"),
    ],
)
def test_refusals_answer_privately_and_change_nothing(cutover_bot, text, user, expected):
    answer = cutover_bot.run(text, as_user=user)
    assert answer["response_type"] == "ephemeral"
    assert refused(answer["text"])
    assert expected in answer["text"]
    assert "Traceback" not in answer["text"]
    assert cutover_bot.state is None
    assert cutover_bot.posted() == []


def test_a_wrong_state_refusal_keeps_the_state(cutover_bot):
    cutover_bot.to_started()
    before = cutover_bot.state.seq
    answer = cutover_bot.run("step start 1A.1", as_user=OPS)
    assert "Phase 1A has not opened: it waits for Gate 1" in answer["text"]
    assert cutover_bot.state.seq == before


def test_a_raci_denial_is_recorded_in_the_log(cutover_bot):
    cutover_bot.to_started()
    answer = cutover_bot.run("gate approve 1", as_user=OPS)
    assert answer["text"].startswith(":lock: Not allowed")
    assert "Dana Reyes" in answer["text"]
    assert cutover_bot.state.denials == 1


def test_a_slack_retry_of_the_same_command_is_applied_once(cutover_bot):
    cutover_bot.to_started()
    cutover_bot.run("step start 0.1", as_user=OPS)
    first = cutover_bot.run("step done 0.1", as_user=OPS)
    seq = cutover_bot.state.seq
    retried = cutover_bot.session.redeliver()  # same trigger_id, X-Slack-Retry-Num: 1
    assert retried.status == 200
    assert "already applied" in retried.body
    assert "done" in first["text"]
    assert cutover_bot.state.seq == seq
    assert sum("`0.1` Monitor dashboard done" in t for t in cutover_bot.thread()) == 1


def test_the_same_trigger_id_twice_applies_once(cutover_bot):
    cutover_bot.to_started()
    cutover_bot.session.command(OPS, "step start 0.1", trigger_id="42.trigger")
    again = cutover_bot.session.command(OPS, "step start 0.1", trigger_id="42.trigger")
    assert "already applied" in again["text"]
    assert sum(t.startswith(":arrow_forward: `0.1`") for t in cutover_bot.thread()) == 1


def test_an_unexpected_error_shows_a_reference_not_a_traceback(cutover_bot, monkeypatch, caplog):
    def broken(**_):
        raise RuntimeError("database on fire")

    monkeypatch.setattr(cutover_bot.services.ledger, "current", broken)
    answer = cutover_bot.run("status", as_user=IC)
    assert answer["response_type"] == "ephemeral"
    assert "Reference `" in answer["text"]
    assert "database on fire" not in answer["text"] and "Traceback" not in answer["text"]
    assert "database on fire" in caplog.text


def test_a_slack_retry_of_a_refused_command_records_the_denial_once(cutover_bot):
    cutover_bot.to_started()
    before = cutover_bot.state.denials
    cutover_bot.run("abort I am not the IC", as_user=OPS)
    cutover_bot.session.redeliver()
    assert cutover_bot.state.denials == before + 1
