"""Nothing waits on Slack before the ack: with a Web API taking 3.5 s per call, every request is acked at once.

Slack shows "app did not respond" when the ack takes over 3 s. The Slack calls a request causes
(the private answer, the reason modal, the Home tab) go right after the ack, and still arrive.
"""

from __future__ import annotations

import json
import os
import threading
import time
from unittest import mock
from urllib.parse import parse_qsl

import pytest

from bot.clock import FakeClock
from bot.serve.command import build_runtime, serve_socket
from bot.settings import Settings, SettingsError
from bot.slack.emulator.limits import SlackRateLimits, Window
from bot.slack.signed_requests import SlackRequests
from tests.bot.serve.test_serve_http import (  # noqa: F401 - roster_with_two_ics is a fixture
    IC,
    MANAGEMENT,
    Served,
    roster_with_two_ics,
    serving,
    started_with_phase0_done,
)
from tests.conftest import T0
from tests.support.fake_slack_api import FakeSlackApi
from tests.support.fake_socket_mode import FakeSocketMode

SLOW_SLACK = 3.5  # seconds per Web API call
ACK_WITHIN = 0.3  # seconds
STRANGER = "U09STRANGER"


@pytest.fixture
def served(tmp_path, roster_with_two_ics):  # noqa: F811
    """The bot over HTTP on a SQLite file."""
    with serving(f"sqlite:///{tmp_path / 'cutover.db'}", roster_with_two_ics) as bot:
        yield bot


def _reason_modal(served: Served, command: str) -> dict:
    """The reason modal as Slack hands it back on submission (its private metadata names the command)."""
    metadata = json.dumps({"command": command, "channel": "C0CUTOVER"})
    return {
        "id": "V0REASON01",
        "type": "modal",
        "hash": "h1",
        "callback_id": "cutover_reason",
        "private_metadata": metadata,
    }


def test_every_kind_of_request_is_acked_at_once_while_slack_takes_3_5_s_per_call(served):
    started_with_phase0_done(served)
    served.runtime.services.outbox.start()  # as `serve` runs it: the deliverer works beside the server
    try:
        served.slack.slow_all(SLOW_SLACK)
        served.slack.clear()
        requests = served.sender.requests
        reason = {"reason": {"reason_input": {"type": "plain_text_input", "value": "bridge call"}}}
        sent = {
            "typed /cutover help": requests.slash(IC, "help"),
            "typed /cutover gate approve 1": requests.slash(IC, "gate approve 1"),
            "pressed Start on step 1A.1": served.sender.click_request("step_start", "1A.1", user=IC),
            "pressed Abort (opens the reason modal)": served.sender.click_request("abort", "", user=IC),
            "a stranger pressed Failed": served.sender.click_request("step_fail", "1A.1", user=STRANGER),
            "submitted a reason": requests.view_submission(
                MANAGEMENT, _reason_modal(served, "go-nogo approve-override"), reason
            ),
            "opened the Home tab": requests.event(
                {"type": "app_home_opened", "user": IC, "tab": "home", "channel": "D0HOME", "event_ts": "1"}
            ),
        }
        took: dict[str, float] = {}
        for name, request in sent.items():  # one after the other: each waits for its ack only
            started = time.perf_counter()
            assert served.sender.send(request).status == 200, name
            took[name] = time.perf_counter() - started
        late = {name: round(seconds, 2) for name, seconds in took.items() if seconds >= ACK_WITHIN}
        assert late == {}, f"acked after {ACK_WITHIN}s: {late}"
        # What those requests asked of Slack still happens, right after the acks.
        # The two refused clicks answer through their response_url; the modal's answer is private in the channel.
        expected = {"views.open": 1, "views.publish": 1, "chat.postEphemeral": 1, "response_url": 2}

        def made() -> dict[str, int]:
            counts = {method: len(served.slack.calls_to(method)) for method in expected}
            return {**counts, "response_url": len(served.responses())}

        deadline = time.monotonic() + 4 * SLOW_SLACK
        while time.monotonic() < deadline and any(made()[method] < n for method, n in expected.items()):
            time.sleep(0.05)
        made_now = made()
        assert made_now["views.publish"] >= 1  # the Home tab; the outbox may refresh Homes after the approval
        assert {**made_now, "views.publish": 1} == expected
    finally:
        served.slack.slow_all(0)
        served.runtime.services.outbox.stop()


def test_socket_mode_acks_each_envelope_at_once_while_slack_takes_3_5_s_per_call(tmp_path):
    aws_offline = {
        "CUTOVER_PROBE_AWS_ENDPOINT_URL": "http://127.0.0.1:9",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
    }  # production wiring, with AWS unreachable at once (as in test_serve_http)
    with FakeSlackApi() as slack, FakeSocketMode() as socket_mode, mock.patch.dict(os.environ, aws_offline):
        slack.answer_with("apps.connections.open", {"ok": True, "url": socket_mode.url})
        settings = _settings(slack, tmp_path, slack_app_token="xapp-1-A0-socket-ack-test")
        runtime = build_runtime(settings, clock=FakeClock(T0))
        runtime.services.outbox.start()
        stop = threading.Event()
        serving = threading.Thread(target=serve_socket, args=(runtime,), kwargs={"stop": stop}, daemon=True)
        serving.start()
        try:
            socket_mode.send("slash_commands", _form(SlackRequests("x").slash(IC, "help")))  # connected
            socket_mode.ack("envelope-1")
            slack.slow_all(SLOW_SLACK)
            slack.clear()
            requests = SlackRequests("socket-mode-signs-nothing")
            envelopes = {
                "typed /cutover schedule": socket_mode.send(
                    "slash_commands", _form(requests.slash(IC, "schedule 2026-12-02 02:00"))
                ),
                "opened the Home tab": socket_mode.send(
                    "events_api",
                    json.loads(
                        requests.event(
                            {"type": "app_home_opened", "user": IC, "tab": "home", "event_ts": "1"}
                        ).raw_body
                    ),
                ),
                "pressed Abort": socket_mode.send(
                    "interactive",
                    json.loads(
                        _form(
                            requests.block_action(
                                IC,
                                channel="C0CUTOVER",
                                message_ts="1764550800.000100",
                                message={"ts": "1764550800.000100", "text": "", "blocks": []},
                                action={"action_id": "abort", "block_id": "b1", "value": ""},
                                action_ts="1764550900.000001",
                            )
                        )["payload"]
                    ),
                ),
            }
            sent_at = time.perf_counter()
            took = {}
            for name, envelope in envelopes.items():
                socket_mode.ack(envelope)
                took[name] = time.perf_counter() - sent_at
            late = {name: round(seconds, 2) for name, seconds in took.items() if seconds >= ACK_WITHIN}
            assert late == {}, f"acked after {ACK_WITHIN}s: {late}"
            deadline = time.monotonic() + 4 * SLOW_SLACK
            while time.monotonic() < deadline and not (
                slack.calls_to("views.open") and slack.calls_to("views.publish")
            ):
                time.sleep(0.05)
            assert len(slack.calls_to("views.open")) == len(slack.calls_to("views.publish")) == 1
        finally:
            slack.slow_all(0)
            stop.set()
            serving.join(10)
            runtime.services.outbox.stop()


def _settings(slack: FakeSlackApi, tmp_path, **more: str) -> Settings:
    """Settings of a bot on a SQLite file whose Web API is this fake Slack."""
    return Settings(
        slack_bot_token="xoxb-1-ack-test",
        slack_api_url=slack.url,
        database_url=f"sqlite:///{tmp_path / 'cutover.db'}",
        cutover_channel="C0CUTOVER",
        **more,
    )


def _form(request) -> dict:
    return dict(parse_qsl(request.raw_body))


def test_a_private_answer_slack_refuses_with_429_is_sent_again_after_its_retry_after(served):
    started_with_phase0_done(served)
    served.slack.rate_tiers(SlackRateLimits(tiers={"chat.postEphemeral": Window(1, 1.0)}))
    served.slack.clear()
    reason = {"reason": {"reason_input": {"type": "plain_text_input", "value": "not mine to say"}}}
    for user in (STRANGER, "U09OTHER"):  # two refused modals at once: Slack takes one private answer a second
        started = time.perf_counter()
        submitted = served.sender.requests.view_submission(user, _reason_modal(served, "abort"), reason)
        assert served.sender.send(submitted).status == 200
        assert time.perf_counter() - started < ACK_WITHIN
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and len(served.slack.calls_to("chat.postEphemeral")) < 2:
        time.sleep(0.05)
    answered = served.slack.calls_to("chat.postEphemeral")
    assert sorted(call["args"]["user"] for call in answered) == sorted([STRANGER, "U09OTHER"])
    refused = [a for a in served.slack.attempts if a["status"] == 429]
    assert [a["method"] for a in refused] == ["chat.postEphemeral"]


def test_a_token_slack_refuses_stops_start_up_with_one_line_instead_of_a_first_request_waiting(tmp_path):
    with FakeSlackApi() as slack:
        slack.answer_with("auth.test", {"ok": False, "error": "invalid_auth"})
        settings = _settings(slack, tmp_path, slack_signing_secret="s")
        with pytest.raises(SettingsError) as refused:
            build_runtime(settings, clock=FakeClock(T0), integrations=False)
    assert str(refused.value) == "setting SLACK_BOT_TOKEN was refused by Slack (auth.test: invalid_auth)"


def test_a_user_token_slack_refuses_stops_start_up_with_one_line(tmp_path):
    with FakeSlackApi() as slack:
        slack.emulator.refused_tokens.add("xoxp-revoked")
        settings = _settings(slack, tmp_path, slack_signing_secret="s", slack_user_token="xoxp-revoked")
        with pytest.raises(SettingsError) as refused:
            build_runtime(settings, clock=FakeClock(T0), integrations=False)
    assert str(refused.value) == "setting SLACK_USER_TOKEN was refused by Slack (auth.test: invalid_auth)"


def test_start_up_checks_the_user_token_or_warns_once_that_thread_replies_are_at_least_once(tmp_path, caplog):
    warning = (
        "SLACK_USER_TOKEN is not set: a reply in a channel's thread in flight at a crash may be posted twice"
    )
    with FakeSlackApi() as slack:
        settings = _settings(slack, tmp_path, slack_signing_secret="s", slack_user_token="xoxp-reader")
        with caplog.at_level("WARNING", logger="cutover.serve"):
            runtime = build_runtime(settings, clock=FakeClock(T0), integrations=False)
        runtime.database.dispose()
        checked = [c["headers"].get("Authorization") for c in slack.calls_to("auth.test")]
        assert "Bearer xoxp-reader" in checked
        assert not [r for r in caplog.records if warning in r.getMessage()]

        (tmp_path / "again").mkdir()
        settings = _settings(slack, tmp_path / "again", slack_signing_secret="s")
        with caplog.at_level("WARNING", logger="cutover.serve"):
            runtime = build_runtime(settings, clock=FakeClock(T0), integrations=False)
        runtime.database.dispose()
    assert len([r for r in caplog.records if warning in r.getMessage()]) == 1
