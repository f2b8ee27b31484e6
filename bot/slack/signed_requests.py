"""Requests as Slack sends them: form bodies signed with the signing secret, as BoltRequests.

The console, the test harness and the benchmarks build the bot's input here, so the app under
test verifies real signatures. The signature timestamp is the real time (Slack's verifier rejects
a timestamp more than 5 minutes from its own clock), not the virtual clock of a script.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from slack_bolt import BoltRequest
from slack_sdk.signature import SignatureVerifier

from bot.clock import SystemClock

TEAM = {"id": "T0CUTOVER", "domain": "nxop"}
APP_ID = "A0CUTOVER"
FORM = "application/x-www-form-urlencoded"


class SlackRequests:
    """Builds signed slash-command, block_actions, view_submission and event requests."""

    def __init__(
        self,
        signing_secret: str,
        channel_id: str = "C0CUTOVER",
        wall_clock: SystemClock | None = None,
        response_urls: str | None = None,
    ):
        """`response_urls`: where clicks' response_urls point (a fake Slack's in tests), one per click."""
        self.verifier = SignatureVerifier(signing_secret)
        self.channel_id = channel_id
        self.response_urls = response_urls
        self.wall_clock = wall_clock or SystemClock()
        self._ids = itertools.count(1)

    def trigger_id(self) -> str:
        """A fresh trigger id (Slack's are unique per user interaction)."""
        return f"{next(self._ids)}.0000000001.console"

    def slash(
        self,
        user: str,
        text: str,
        *,
        trigger_id: str | None = None,
        command: str = "/cutover",
        retry: int | None = None,
        response_url: str | None = None,
    ) -> BoltRequest:
        """`/cutover <text>` typed by this user in the cutover channel."""
        form = {
            "token": "unused",
            "team_id": TEAM["id"],
            "team_domain": TEAM["domain"],
            "channel_id": self.channel_id,
            "channel_name": "nxop-cutover",
            "user_id": user,
            "user_name": user,
            "command": command,
            "text": text,
            "api_app_id": APP_ID,
            "is_enterprise_install": "false",
            "response_url": response_url
            or f"https://hooks.slack.com/commands/{TEAM['id']}/{next(self._ids)}/console",
            "trigger_id": trigger_id or self.trigger_id(),
        }
        return self.signed(urlencode(form), FORM, retry=retry)

    def block_action(
        self,
        user: str,
        *,
        channel: str,
        message_ts: str,
        message: dict[str, Any],
        action: dict[str, Any],
        action_ts: str,
        trigger_id: str | None = None,
        retry: int | None = None,
        response_url: str | None = None,
    ) -> BoltRequest:
        """This user pressing a button (`action`: its action_id, block_id, value) on a message."""
        payload = {
            "type": "block_actions",
            "team": TEAM,
            "api_app_id": APP_ID,
            "token": "unused",
            "user": {"id": user, "username": user, "team_id": TEAM["id"]},
            "container": {
                "type": "message",
                "message_ts": message_ts,
                "channel_id": channel,
                "is_ephemeral": False,
            },
            "trigger_id": trigger_id or self.trigger_id(),
            "channel": {"id": channel, "name": channel},
            "message": message,
            "response_url": response_url or self._response_url(),
            "actions": [
                {
                    "type": "button",
                    "action_ts": action_ts,
                    "text": {"type": "plain_text", "text": "button"},
                    **action,
                }
            ],
        }
        return self.signed(urlencode({"payload": json.dumps(payload)}), FORM, retry=retry)

    def _response_url(self) -> str:
        if self.response_urls:
            return f"{self.response_urls}{next(self._ids)}"
        return f"https://hooks.slack.com/actions/{TEAM['id']}/{next(self._ids)}/x"

    def view_submission(
        self, user: str, view: dict[str, Any], values: dict[str, Any], retry: int | None = None
    ) -> BoltRequest:
        """This user submitting a modal with these state values."""
        submitted = {**view, "state": {"values": values}}
        payload = {
            "type": "view_submission",
            "team": TEAM,
            "api_app_id": APP_ID,
            "token": "unused",
            "user": {"id": user, "username": user, "team_id": TEAM["id"]},
            "trigger_id": self.trigger_id(),
            "view": submitted,
            "response_urls": [],
        }
        return self.signed(urlencode({"payload": json.dumps(payload)}), FORM, retry=retry)

    def event(self, event: dict[str, Any], *, event_id: str | None = None) -> BoltRequest:
        """An Events API callback (e.g. app_home_opened)."""
        body = {
            "token": "unused",
            "team_id": TEAM["id"],
            "api_app_id": APP_ID,
            "type": "event_callback",
            "event": event,
            "event_id": event_id or f"Ev{next(self._ids):08d}",
            "event_time": int(self.wall_clock.now().timestamp()),
            "authorizations": [{"team_id": TEAM["id"], "user_id": "UBOT", "is_bot": True}],
        }
        return self.signed(json.dumps(body), "application/json")

    def signed(
        self, body: str, content_type: str, *, retry: int | None = None, timestamp: int | None = None
    ) -> BoltRequest:
        """A request with this body, signed as Slack signs (timestamp: now, unless given)."""
        ts = str(timestamp if timestamp is not None else int(self.wall_clock.now().timestamp()))
        headers: dict[str, str | Sequence[str]] = {
            "content-type": content_type,
            "x-slack-request-timestamp": ts,
            "x-slack-signature": self.verifier.generate_signature(timestamp=ts, body=body) or "",
        }
        if retry is not None:
            headers.update({"x-slack-retry-num": str(retry), "x-slack-retry-reason": "http_timeout"})
        return BoltRequest(body=body, headers=headers)
