"""The tests' Slack Web API: the strict emulator's HTTP face (bot/slack/emulator/server.py), served by
the tests' quiet server (it stops cleanly and never prints into another test's output)."""

from __future__ import annotations

from bot.slack.emulator.server import EmulatedSlackServer
from tests.support.quiet_server import QuietHTTPServer


class FakeSlackApi(EmulatedSlackServer):
    """The emulator over HTTP on 127.0.0.1, as every test and benchmark uses it."""

    server_class = QuietHTTPServer
