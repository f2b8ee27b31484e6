"""`serve` checks the workspace before it starts (one line per problem, exit 2), and /healthz says when
delivery to Slack is failing."""

from __future__ import annotations

import os
from datetime import timedelta
from unittest import mock

import pytest

from bot.cli import main
from bot.clock import FakeClock
from bot.serve.command import build_runtime, wsgi_app
from bot.serve.http import HttpServer
from bot.settings import Settings
from bot.slack.emulator.core import SlackEmulator
from bot.slack.emulator.server import EmulatedSlackServer
from bot.slack.emulator.workspace import Workspace
from commands.run import execute
from cutover.roster import default_roster_path
from tests.conftest import T0
from tests.support.slack_http import SlackSender

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
ROSTER_IDS = (
    "U01AAAA",
    "U01BBBB",
    "U01CCCC",
    "U01DDDD",
    "U02BBBB",
    "U02CCCC",
    "U02DDDD",
    "U02EEEE",
    "U03AAAA",
)


def workspace(
    *,
    member: bool = True,
    missing: tuple[str, ...] = (),
    deactivated: tuple[str, ...] = (),
    audiences: tuple[str, ...] = ("nxop-business", "nxop-ops-center"),
) -> Workspace:
    """A closed workspace: the cutover channel (the bot in it or not) and the example roster's people."""
    found = Workspace()
    found.add_channel("nxop-cutover", "C0CUTOVER", member=member)
    for name in audiences:  # the runbook's audience channels, the bot invited
        found.add_channel(name)
    for user in ROSTER_IDS:
        if user not in missing:
            found.add_user(user, deleted=user in deactivated)
    return found


def settings(slack: EmulatedSlackServer, tmp_path, channel: str = "#nxop-cutover") -> Settings:
    return Settings(
        slack_bot_token="xoxb-1-setup-test",
        slack_signing_secret=SECRET,
        slack_api_url=slack.url,
        database_url=f"sqlite:///{tmp_path / 'cutover.db'}",
        cutover_channel=channel,
        cutover_roster=str(default_roster_path()),
        cutover_allow_example_roster=True,
    )


def serve_exit(
    slack: EmulatedSlackServer, tmp_path, capsys, channel: str = "#nxop-cutover"
) -> tuple[int, list[str]]:
    env = {
        "SLACK_BOT_TOKEN": "xoxb-1-setup-test",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": slack.url,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cutover.db'}",
        "CUTOVER_CHANNEL": channel,
        "CUTOVER_ROSTER": str(default_roster_path()),
        "CUTOVER_ALLOW_EXAMPLE_ROSTER": "1",
        "CUTOVER_PROBE_AWS_ENDPOINT_URL": "http://127.0.0.1:9",
    }
    with mock.patch.dict(os.environ, env):
        code = main(["serve", "--http", "--port", "0"])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, [line for line in err.splitlines() if line.startswith("cutover-bot:")]  # not log lines


def test_a_channel_the_bot_is_not_in_and_unknown_or_deactivated_people_stop_serve(tmp_path, capsys):
    closed = workspace(member=False, missing=("U02CCCC",), deactivated=("U03AAAA",))
    with EmulatedSlackServer(SlackEmulator(FakeClock(T0), workspace=closed)) as slack:
        code, lines = serve_exit(slack, tmp_path, capsys)
        assert slack.contract_errors and {e.error for e in slack.contract_errors} == {"user_not_found"}
    assert code == 2
    assert lines == [
        "cutover-bot: setting CUTOVER_CHANNEL: the bot is not a member of #nxop-cutover (C0CUTOVER) "
        "(/invite @cutover-bot there)",
        "cutover-bot: roster: Slack has no user U02CCCC (Ana Souza); put their Slack member ID in the roster",
        "cutover-bot: roster: the Slack user U03AAAA (Rachel Grant) is deactivated",
    ]


def test_an_audience_channel_missing_or_without_the_bot_stops_serve(tmp_path, capsys):
    closed = workspace(audiences=("nxop-business",))
    closed.add_channel("nxop-ops-center", "C0OPS", member=False)
    with EmulatedSlackServer(SlackEmulator(FakeClock(T0), workspace=closed)) as slack:
        code, lines = serve_exit(slack, tmp_path, capsys)
    assert code == 2
    assert lines == [
        "cutover-bot: runbook: the bot is not a member of #nxop-ops-center (C0OPS) (communications.audiences) "
        "(/invite @cutover-bot there)"
    ]
    closed.conversations.pop("C0OPS")
    closed.names.pop("nxop-ops-center")
    with EmulatedSlackServer(SlackEmulator(FakeClock(T0), workspace=closed)) as slack:
        code, lines = serve_exit(slack, tmp_path, capsys)
    assert lines == [
        "cutover-bot: runbook: Slack shows the bot no channel #nxop-ops-center (communications.audiences); "
        "create it, or invite the bot to a private one"
    ]


@pytest.mark.parametrize("channel", ["#nxop-elsewhere", "C0GONE"])
def test_a_channel_slack_does_not_show_stops_serve(tmp_path, capsys, channel):
    with EmulatedSlackServer(SlackEmulator(FakeClock(T0), workspace=workspace())) as slack:
        code, lines = serve_exit(slack, tmp_path, capsys, channel=channel)
    assert code == 2
    assert lines == [
        f"cutover-bot: setting CUTOVER_CHANNEL: Slack shows the bot no channel {channel} "
        "(create it, or invite the bot to a private one)"
    ]


def test_a_channel_name_is_resolved_to_its_id_and_serve_starts(tmp_path):
    with EmulatedSlackServer(SlackEmulator(FakeClock(T0), workspace=workspace())) as slack:
        runtime = build_runtime(settings(slack, tmp_path), clock=FakeClock(T0), integrations=False)
        assert runtime.services.channel == "C0CUTOVER"
        assert slack.contract_errors == []
        assert {"conversations.list", "conversations.info", "users.info"} <= set(slack.methods())
        runtime.database.dispose()


def test_healthz_is_503_naming_slack_while_the_parent_is_refused_or_calls_keep_failing(tmp_path):
    clock = FakeClock(T0)
    with EmulatedSlackServer(SlackEmulator(clock, workspace=workspace())) as slack:
        runtime = build_runtime(settings(slack, tmp_path), clock=clock, integrations=False)
        services = runtime.services
        with HttpServer(wsgi_app(runtime), host="127.0.0.1", port=0) as server:
            sender = SlackSender(server.url, SECRET)
            assert sender.get("/healthz").json() == {"ok": True, "database": "ok"}
            slack.down()  # every call answered 503: retried, again and again
            execute(services, "U01AAAA", "schedule 2026-12-02 02:00")
            for _ in range(4):
                services.outbox.drain()
                clock.advance(timedelta(minutes=5))
            answer = sender.get("/healthz")
            assert answer.status == 503
            assert answer.json()["slack"].startswith("failing: 1 call failing repeatedly (last error:")
            slack.down(False)
            slack.answer_with(
                "chat.postMessage", {"ok": False, "error": "invalid_blocks"}
            )  # refused for good
            services.outbox.drain()
            answer = sender.get("/healthz")
            assert answer.status == 503
            assert answer.json() == {
                "ok": False,
                "database": "ok",
                "slack": "failing: 1 parent message refused (its thread waits) "
                "(last error: Slack refused chat.postMessage: invalid_blocks)",
            }
            sender.close()
        runtime.database.dispose()
