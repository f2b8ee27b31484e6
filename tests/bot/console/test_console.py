"""The console: scripts through the real Bolt app, the JSON transcript, malformed lines, the prompt."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from bot.cli import main
from bot.console.command import DEFAULT_START, interact, run_script
from bot.slack.session import SlackSession

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


def _session(plan, roster) -> SlackSession:
    return SlackSession(plan=plan, roster=roster, start=DEFAULT_START)


def _json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


def test_the_happy_path_script_ends_succeeded(plan, roster):
    session, out = _session(plan, roster), io.StringIO()
    assert run_script(session, EXAMPLES / "happy-path.script", as_json=True, out=out) == 0
    state = session.services.ledger.current()
    assert state.status == "succeeded"
    assert {a.role for a in state.gate(5).approvals} == {"incident_commander", "management"}
    lines = _json_lines(out.getvalue())
    assert {line["type"] for line in lines} == {"api", "reply"}
    for line in lines:
        assert line["at"].endswith("Z")
        if line["type"] == "api":
            assert set(line) == {"at", "type", "method", "args"}
        else:
            assert set(line) == {"at", "type", "user", "command", "response_type", "text", "blocks"}
            assert line["command"].startswith(("/cutover ", "click "))  # a click's answer: its response_url
            assert line["response_type"] in ("ephemeral", "in_channel")
    assert lines[0]["at"] == "2026-12-01T01:00:00Z"
    assert lines[-1]["type"] == "reply" and "Succeeded" in lines[-1]["text"]
    methods = {line["method"] for line in lines if line["type"] == "api"}
    assert {"chat.postMessage", "chat.update", "response_url"} <= methods  # pressed cards are replaced
    assert "chat.postEphemeral" not in methods  # answers to clicks go through their response_url
    # nothing was refused on the happy path
    assert not any(
        ("Not allowed" in x["text"] or "Not done" in x["text"]) for x in lines if x["type"] == "reply"
    )


def test_the_refusals_script_shows_each_refusal(plan, roster):
    session, out = _session(plan, roster), io.StringIO()
    assert run_script(session, EXAMPLES / "refusals.script", as_json=True, out=out) == 0
    lines = _json_lines(out.getvalue())
    replies = {x["command"]: x for x in lines if x["type"] == "reply"}
    assert all(x["response_type"] == "ephemeral" for x in replies.values())
    assert "Did you mean `status`?" in replies["/cutover stauts"]["text"]
    assert "missing the gate number" in replies["/cutover gate approve"]["text"]
    assert "no step 1A.9; Phase 1A has 1A.1-1A.4" in replies["/cutover step start 1A.9"]["text"]
    assert "Not done: cannot start" in next(
        x["text"] for x in lines if x.get("command") == "/cutover start" and "cannot start" in x["text"]
    )
    assert replies["/cutover go-nogo go looks fine to me"]["text"].startswith(":lock: Not allowed")
    denials = [
        x
        for x in lines
        if x["type"] == "reply"
        and x["command"].startswith("click ")
        and x["text"].startswith(":lock: Not allowed")
    ]
    assert [d["user"] for d in denials] == ["U02BBBB", "U02BBBB"]  # the two denied clicks, privately
    # the second denied click within a minute is counted, carried by that person's next recorded denial
    assert session.services.ledger.current().denials == 2
    assert session.services.denials.pending("U02BBBB") == 1


def test_the_readable_transcript_and_the_cli(tmp_path, capsys):
    script = tmp_path / "short.script"
    script.write_text("# a comment\n\n@U01AAAA /cutover whoami\n+5m\n@U01BBBB /cutover status\n")
    assert main(["console", "--script", str(script), "--start", "2026-12-01T02:00:00Z"]) == 0
    out = capsys.readouterr().out
    assert ">>> @U01AAAA /cutover whoami" in out
    assert "[02:00:00] to @U01AAAA (ephemeral):" in out
    assert "Incident Commander" in out
    assert ">>> +5m" in out
    assert main(["console", "--script", str(script), "--json", "--start", "2026-12-01T02:00:00Z"]) == 0
    lines = _json_lines(capsys.readouterr().out)
    assert [x["at"] for x in lines] == ["2026-12-01T02:00:00Z", "2026-12-01T02:05:00Z"]


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("/cutover status", "a line is `@<slack_id> /cutover <text>`"),
        ("@U01AAAA status", "after @U01AAAA comes `/cutover <text>` or `click <action_id> [<value>]`"),
        ("@U01AAAA click", "click needs an action id"),
        ("@U01AAAA click step_finish 0.1", "no button has the action id 'step_finish'"),
        ("@U01AAAA click step_done 0.1 extra words", "takes one value at most"),
        ("+10 minutes", "is not a clock advance"),
        ("@ /cutover status", "is not a Slack user id"),
    ],
)
def test_a_malformed_line_stops_the_script_with_its_number(tmp_path, capsys, line, problem):
    script = tmp_path / "bad.script"
    script.write_text(f"# first\n@U01AAAA /cutover whoami\n{line}\n@U01AAAA /cutover status\n")
    assert main(["console", "--script", str(script), "--json"]) == 2
    captured = capsys.readouterr()
    assert f"{script}:3: " in captured.err and problem in captured.err
    assert captured.out == ""  # nothing ran


def test_a_click_on_a_button_nobody_shows_stops_with_the_line(tmp_path, capsys):
    script = tmp_path / "click.script"
    script.write_text("@U01AAAA /cutover whoami\n@U01BBBB click step_done 0.1\n")
    assert main(["console", "--script", str(script), "--json"]) == 2
    captured = capsys.readouterr()
    assert f"{script}:2: no message shows a button 'step_done'" in captured.err
    assert len(_json_lines(captured.out)) == 1  # the first line ran


def test_the_interactive_prompt_types_as_the_chosen_user(plan, roster):
    session, out = _session(plan, roster), io.StringIO()
    typed = io.StringIO("/cutover whoami\nas U03AAAA\n/cutover whoami\n+10m\n/cutover nonsense\nquit\n")
    assert interact(session, "U01AAAA", typed, out) == 0
    text = out.getvalue()
    assert "Incident Commander" in text and "Management" in text
    assert "now typing as U03AAAA (Rachel Grant)" in text
    assert "U03AAAA 01:10:00> " in text
    assert "there is no `nonsense` command" in text


def test_an_answer_through_response_url_is_a_reply_line(plan, roster):
    session = _session(plan, roster)

    @session.app.command("/cutover-later")
    def later(ack, respond):
        ack()
        respond(text="done later", response_type="in_channel")

    session.dispatch(session.requests.slash("U01AAAA", "report", command="/cutover-later"))
    line = session.transcript[-1].as_json()
    assert line == {
        "at": "2026-12-01T01:00:00Z",
        "type": "reply",
        "user": "U01AAAA",
        "command": "/cutover-later report",
        "response_type": "in_channel",
        "text": "done later",
        "blocks": [],
    }


def test_the_readable_transcript_shows_a_pressed_card_replaced(tmp_path, capsys):
    script = tmp_path / "press.script"
    script.write_text(
        "@U01AAAA /cutover schedule 2026-12-01 03:00\n"
        "@U01AAAA /cutover go-nogo override checked on the bridge\n"
        "@U03AAAA /cutover go-nogo approve-override agreed\n"
        "@U01AAAA /cutover go-nogo go all green\n"
        "+2h\n"
        "@U01AAAA click cutover_start\n"
    )
    assert main(["console", "--script", str(script)]) == 0
    out = capsys.readouterr().out
    assert " card updated: :rocket: Started by <@U01AAAA> at 03:00 UTC" in out  # the channel, by name or ID
    assert "only @U01AAAA sees" not in out  # the click's answer went through its response_url


@pytest.mark.parametrize("script", sorted(p.name for p in EXAMPLES.glob("*.script")))
def test_every_example_script_makes_no_call_slack_would_refuse(plan, roster, script):
    session, out = _session(plan, roster), io.StringIO()
    assert run_script(session, EXAMPLES / script, as_json=True, out=out) == 0
    assert [str(e) for e in session.emulator.contract_errors] == []
    assert all("error" not in line for line in _json_lines(out.getvalue()))
