"""Slack's requests over real HTTP: bodies signed by `bot.slack.signed_requests`, posted on a keep-alive connection.

sender = SlackSender("http://127.0.0.1:3000", secret)
answer = sender.command("status", user="U01AAAA")
answer.status, answer.json()["text"]
"""

from __future__ import annotations

import http.client
import itertools
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from slack_bolt import BoltRequest

from bot.slack.signed_requests import SlackRequests

_action_ts = itertools.count(1)


@dataclass
class Answer:
    """An HTTP answer: status, headers, body."""

    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        """The body as JSON."""
        return json.loads(self.body)


def http_headers(request: BoltRequest) -> dict[str, str]:
    """A signed BoltRequest's headers as an HTTP client sends them."""
    return {name: values[0] for name, values in request.headers.items()}


class SlackSender:
    """Posts signed Slack requests to a server over one keep-alive connection (one sender per thread)."""

    def __init__(
        self,
        base_url: str,
        secret: str,
        path: str = "/slack/events",
        channel: str = "C0CUTOVER",
        response_urls: str | None = None,
    ) -> None:
        """`response_urls`: the fake Slack's (`FakeSlackApi.response_url("")`), so clicks' answers land there."""
        parts = urlsplit(base_url)
        self.host, self.port, self.path = parts.hostname, parts.port, path
        self.requests = SlackRequests(secret, channel_id=channel, response_urls=response_urls)
        self.channel = channel
        self._connection: http.client.HTTPConnection | None = None

    def command(self, text: str, *, user: str, retry: int | None = None) -> Answer:
        """`/cutover <text>` typed by this user."""
        return self.send(self.requests.slash(user, text, retry=retry))

    def click_request(
        self,
        action_id: str,
        value: str,
        *,
        user: str,
        action_ts: str | None = None,
        message: dict[str, Any] | None = None,
        block_id: str = "b1",
    ) -> BoltRequest:
        """A signed click on a button of a bot message (by default an empty one; or this posted `message`)."""
        ts = action_ts or f"1764550900.{next(_action_ts):06d}"
        pressed = message or {"type": "message", "ts": "1764550800.000100", "text": "", "blocks": []}
        return self.requests.block_action(
            user,
            channel=self.channel,
            message_ts=pressed["ts"],
            message=pressed,
            action={"action_id": action_id, "block_id": block_id, "value": value},
            action_ts=ts,
        )

    def send(self, request: BoltRequest, *, retry: int | None = None) -> Answer:
        """POST a signed BoltRequest's body with its headers (plus X-Slack-Retry-Num when given)."""
        headers = http_headers(request)
        if retry is not None:
            headers.update({"x-slack-retry-num": str(retry), "x-slack-retry-reason": "http_timeout"})
        return self.post(request.raw_body, headers)

    def post(self, body: str, headers: dict[str, str]) -> Answer:
        """POST a body with exactly these headers."""
        return self.request("POST", self.path, body.encode(), headers)

    def get(self, path: str) -> Answer:
        """GET a path."""
        return self.request("GET", path, None, {})

    def request(self, method: str, path: str, body: bytes | None, headers: dict) -> Answer:
        """One request on the kept-alive connection (reconnecting once if the server closed it)."""
        for attempt in (1, 2):
            if self._connection is None:
                self._connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
            try:
                self._connection.request(method, path, body=body, headers=headers)
                response = self._connection.getresponse()
                return Answer(response.status, dict(response.getheaders()), response.read())
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        """Close the connection."""
        if self._connection is not None:
            self._connection.close()
            self._connection = None
