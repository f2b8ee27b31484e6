"""`serve --socket`: the same app answers over Slack's Socket Mode, connected with the app-level token."""

from __future__ import annotations

import threading
from urllib.parse import parse_qsl

from bot.clock import FakeClock
from bot.serve.command import build_runtime, serve_socket
from bot.settings import Settings
from bot.slack.signed_requests import SlackRequests
from storage import eventlog
from tests.conftest import T0
from tests.support.fake_slack_api import FakeSlackApi
from tests.support.fake_socket_mode import FakeSocketMode

BOT_TOKEN, APP_TOKEN, IC = "xoxb-1-socket-test", "xapp-1-A0-socket-test", "U01AAAA"


def test_serve_socket_answers_slash_commands_in_the_envelope_ack_and_disconnects_on_stop(tmp_path):
    with FakeSlackApi() as slack, FakeSocketMode() as socket_mode:
        slack.answer_with("apps.connections.open", {"ok": True, "url": socket_mode.url})
        settings = Settings(
            slack_bot_token=BOT_TOKEN,
            slack_app_token=APP_TOKEN,
            slack_api_url=slack.url,
            database_url=f"sqlite:///{tmp_path / 'cutover.db'}",
            cutover_channel="C0CUTOVER",
        )
        runtime = build_runtime(settings, clock=FakeClock(T0))
        stop = threading.Event()
        serving = threading.Thread(target=serve_socket, args=(runtime,), kwargs={"stop": stop}, daemon=True)
        serving.start()
        try:
            typed = SlackRequests("socket-mode-signs-nothing").slash(IC, "schedule 2026-12-02 02:00")
            command = dict(parse_qsl(typed.raw_body))
            # Slack redelivers an envelope it thinks was lost: same trigger id, handled concurrently.
            envelopes = [socket_mode.send("slash_commands", command) for _ in range(2)]
            answers = sorted(socket_mode.ack(envelope)["payload"]["text"] for envelope in envelopes)
            assert "2026-12-02 02:00 UTC" in answers[0]
            assert "not applied a second time" in answers[1]
        finally:
            stop.set()
            serving.join(10)
        assert not serving.is_alive()
    opened = slack.calls_to("apps.connections.open")
    assert opened and opened[0]["headers"]["Authorization"] == f"Bearer {APP_TOKEN}"
    posted = slack.calls_to("chat.postMessage")
    assert posted and posted[0]["headers"]["Authorization"] == f"Bearer {BOT_TOKEN}"
    cutover = runtime.services.ledger.current().cutover_id
    kinds = [r.event.kind for r in eventlog.history(engine=runtime.database, cutover_id=cutover)]
    assert kinds.count("cutover.scheduled") == 1


def test_a_malformed_envelope_is_acked_empty_and_changes_nothing(tmp_path, caplog):
    caplog.set_level("INFO")  # slack_sdk's own DEBUG trace prints every envelope it receives
    with FakeSlackApi() as slack, FakeSocketMode() as socket_mode:
        slack.answer_with("apps.connections.open", {"ok": True, "url": socket_mode.url})
        settings = Settings(
            slack_bot_token=BOT_TOKEN,
            slack_app_token=APP_TOKEN,
            slack_api_url=slack.url,
            database_url=f"sqlite:///{tmp_path / 'cutover.db'}",
            cutover_channel="C0CUTOVER",
        )
        runtime = build_runtime(settings, clock=FakeClock(T0))
        stop = threading.Event()
        serving = threading.Thread(target=serve_socket, args=(runtime,), kwargs={"stop": stop}, daemon=True)
        serving.start()
        try:
            bad = [
                ("slash_commands", {"command": "/cutover", "user_id": ["U01AAAA"], "text": "MARK-1\nforged"}),
                ("interactive", {"type": "block_actions", "user": "MARK-2"}),
                ("events_api", {"event": "MARK-3"}),
                ("hello_world", {"MARK-4": 1}),
            ]
            envelopes = [socket_mode.send(kind, payload) for kind, payload in bad]
            answers = [socket_mode.ack(envelope) for envelope in envelopes]
        finally:
            stop.set()
            serving.join(10)
    assert all("payload" not in answer or not answer["payload"] for answer in answers)
    assert runtime.services.ledger.current() is None
    assert slack.calls_to("chat.postMessage") == [] and slack.calls_to("chat.postEphemeral") == []
    assert "MARK-" not in caplog.text and "Traceback" not in caplog.text
    assert caplog.text.count("refused a Socket Mode envelope") == 4


def test_socket_mode_serves_health_and_metrics_on_its_own_port_and_no_slack_path(tmp_path):
    import socket

    from tests.support.slack_http import SlackSender

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with FakeSlackApi() as slack, FakeSocketMode() as socket_mode:
        slack.answer_with("apps.connections.open", {"ok": True, "url": socket_mode.url})
        settings = Settings(
            slack_bot_token=BOT_TOKEN,
            slack_app_token=APP_TOKEN,
            slack_api_url=slack.url,
            database_url=f"sqlite:///{tmp_path / 'cutover.db'}",
            cutover_channel="C0CUTOVER",
        )
        runtime = build_runtime(settings, clock=FakeClock(T0))
        stop = threading.Event()
        kwargs = {"stop": stop, "health_port": port, "host": "127.0.0.1"}
        serving = threading.Thread(target=serve_socket, args=(runtime,), kwargs=kwargs, daemon=True)
        serving.start()
        try:
            typed = SlackRequests("socket-mode-signs-nothing").slash(IC, "status")
            envelope = socket_mode.send("slash_commands", dict(parse_qsl(typed.raw_body)))
            socket_mode.ack(envelope)
            sender = SlackSender(f"http://127.0.0.1:{port}", "unused")
            assert sender.get("/healthz").json() == {"ok": True, "database": "ok"}
            metrics = sender.get("/metrics").body.decode()
            assert 'cutover_acks_total{outcome="ok",verb="status"} 1.0' in metrics
            assert sender.command("status", user=IC).status == 404  # Slack talks over the socket only
            sender.close()
        finally:
            stop.set()
            serving.join(10)
        assert not serving.is_alive()


def test_socket_mode_health_port_serves_the_public_status_page_following_the_cutover(tmp_path):
    import json
    import socket

    from tests.support.slack_http import SlackSender

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with FakeSlackApi() as slack, FakeSocketMode() as socket_mode:
        slack.answer_with("apps.connections.open", {"ok": True, "url": socket_mode.url})
        settings = Settings(
            slack_bot_token=BOT_TOKEN,
            slack_app_token=APP_TOKEN,
            slack_api_url=slack.url,
            database_url=f"sqlite:///{tmp_path / 'cutover.db'}",
            cutover_channel="C0CUTOVER",
        )
        runtime = build_runtime(settings, clock=FakeClock(T0))
        stop = threading.Event()
        kwargs = {"stop": stop, "health_port": port, "host": "127.0.0.1"}
        serving = threading.Thread(target=serve_socket, args=(runtime,), kwargs=kwargs, daemon=True)
        serving.start()
        try:
            sender = SlackSender(f"http://127.0.0.1:{port}", "unused")
            _when_listening(lambda: SlackSender(f"http://127.0.0.1:{port}", "unused").get("/healthz"))
            before = sender.get("/status.json")
            assert before.status == 200
            assert json.loads(before.body)["phase"] == "idle"
            typed = SlackRequests("socket-mode-signs-nothing").slash(IC, "schedule 2026-12-08 02:00")
            socket_mode.ack(socket_mode.send("slash_commands", dict(parse_qsl(typed.raw_body))))
            after = json.loads(sender.get("/status.json").body)
            assert (after["phase"], after["window_start"]) == ("scheduled", "2026-12-08T02:00:00Z")
            page = sender.get("/status")
            assert page.status == 200 and "1-800-NXOP-OPS" in page.body.decode()
            assert sender.request("POST", "/status", b"x", {}).status == 404  # read-only, like --http
            sender.close()
        finally:
            stop.set()
            serving.join(10)
        assert not serving.is_alive()


def _when_listening(request, within: float = 10.0):
    """The answer to a request once the health port listens (it starts beside the socket connection)."""
    import time

    deadline = time.monotonic() + within
    while True:
        try:
            return request()
        except OSError:  # refused until it listens
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
