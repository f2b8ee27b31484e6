"""Fuzzing the real HTTP path: odd command text, modal reasons and request bodies give no traceback,
no 5xx and no message Slack would reject."""

from __future__ import annotations

import json
import logging

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from slack_sdk.models.blocks import Block

from tests.bot.serve.test_admission import signed_headers
from tests.bot.serve.test_double_clicks import reason_modal
from tests.bot.serve.test_serve_http import IC, roster_with_two_ics, served, started_with_phase0_done  # noqa: F401

FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
ODD = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=300
) | st.sampled_from(
    [
        "",
        " ",
        "\n\n",
        "step done " + "9" * 500,
        "schedule 9999-12-31 23:59",
        "gate reject 1 " + "<!channel> *x* `y` &amp;" * 40,
        "comms ack T-7d business_units\nack all",
        "\x00\x1b[2J",
        "note issue " + "é" * 3000,
    ]
)
STRANGER = "U0STRANGE"
TEXT_LIMIT, SECTION_LIMIT, BLOCKS_LIMIT = 40_000, 3_000, 50


def slack_refusals(bot) -> list[str]:
    """What Slack would refuse among the calls the bot made: text too long, blocks Slack rejects."""
    problems = []
    for call in bot.slack.calls:
        args = call["args"]
        text = args.get("text") or ""
        if len(text) > TEXT_LIMIT:
            problems.append(f"{call['method']}: text of {len(text)} characters")
        blocks = args.get("blocks")
        if isinstance(blocks, str):
            blocks = json.loads(blocks)
        if blocks:
            if len(blocks) > BLOCKS_LIMIT:
                problems.append(f"{call['method']}: {len(blocks)} blocks")
            for block in blocks:
                try:
                    Block.parse(block).validate_json()
                except Exception as exc:  # noqa: BLE001 - slack_sdk's validation names what Slack refuses
                    problems.append(f"{call['method']}: {exc}")
                if (
                    block.get("type") == "section"
                    and len((block.get("text") or {}).get("text", "")) > SECTION_LIMIT
                ):
                    problems.append(f"{call['method']}: section text over {SECTION_LIMIT}")
    return problems


def no_traceback(caplog) -> None:
    bad = [
        r
        for r in caplog.records
        if r.exc_info or r.levelno >= logging.ERROR and "Slack API server" not in r.getMessage()
    ]
    assert not bad, [r.getMessage() for r in bad]


@FUZZ
@given(text=ODD, stranger=st.booleans())
def test_odd_command_text_is_answered_never_a_traceback(served, caplog, text, stranger):  # noqa: F811
    caplog.set_level("INFO")
    answer = served.command(text, user=STRANGER if stranger else IC)
    assert answer.status == 200
    reply = answer.json()["text"]
    assert "went wrong" not in reply and "Traceback" not in reply and len(reply) <= TEXT_LIMIT
    assert slack_refusals(served) == []
    no_traceback(caplog)


@pytest.fixture
def gate_open(served):  # noqa: F811
    started_with_phase0_done(served)
    return served


@FUZZ
@given(
    reason=st.text(max_size=3000),
    command=st.sampled_from(["gate reject 1", "step fail 1A.1", "pause", "abort"]),
)
def test_odd_modal_reasons_are_recorded_or_refused_never_a_traceback(gate_open, caplog, reason, command):
    caplog.set_level("INFO")
    sender = gate_open.sender
    values = {"reason": {"reason_input": {"type": "plain_text_input", "value": reason}}}
    view = reason_modal(command, f"V{abs(hash((reason, command)))}")
    answer = sender.send(sender.requests.view_submission(IC, view, values))
    assert answer.status == 200
    gate_open.runtime.services.outbox.drain()
    assert slack_refusals(gate_open) == []
    no_traceback(caplog)


@FUZZ
@given(body=st.binary(max_size=2000), signed=st.booleans(), json_type=st.booleans())
def test_odd_request_bodies_are_refused_cleanly(served, caplog, body, signed, json_type):  # noqa: F811
    caplog.set_level("INFO")
    content_type = "application/json" if json_type else "application/x-www-form-urlencoded"
    headers = signed_headers(body, content_type) if signed else {"content-type": content_type}
    answer = served.sender.request("POST", "/slack/events", body, headers)
    assert answer.status in (200, 400, 401, 404)
    assert served.kinds() == [] or not signed
    no_traceback(caplog)
