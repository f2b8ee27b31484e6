"""The simplest outbox: deliver each queued call at once through a Slack WebClient.

It implements `commands.context.Outbox` (idempotent keys, per-order delivery, "{{ts:NAME}}"
references). The persistent outbox with retries replaces it in production wiring; this one
serves tests that need no durability.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient

from bot.outbox.transports import SES_METHOD
from bot.slack.mrkdwn import fit

_REF = re.compile(r"^\{\{ts:(.+)\}\}$")


class ImmediateOutbox:
    """Delivers every call synchronously; remembers keys and saved timestamps in memory."""

    def __init__(self, client: WebClient, email: Callable[[dict[str, Any]], None] | None = None) -> None:
        """`email` sends what is queued as "ses.send_email" (it is not a Slack call); none: not sent."""
        self.client, self.email = client, email
        self._keys: set[str] = set()
        self._ts: dict[str, str] = {}
        self._lock = threading.Lock()

    def enqueue(
        self, *, method: str, args: dict[str, Any], key: str, order: str = "", save_ts_as: str | None = None
    ) -> None:
        """Deliver now unless this key was delivered before."""
        with self._lock:
            if key in self._keys:
                return
            self._keys.add(key)
            if method == SES_METHOD:
                if self.email is not None:
                    self.email(self.resolve(args))
                return
            response = self.client.api_call(method, json=fit(method, self.resolve(args)))
            channel = response.get("channel")
            saved = response.get("ts") or (channel.get("id") if isinstance(channel, dict) else None)
            if save_ts_as and saved:  # a message ts, or a DM channel id from conversations.open
                self._ts[save_ts_as] = saved

    def ts(self, name: str) -> str | None:
        """A saved message timestamp."""
        return self._ts.get(name)

    def resolve(self, value: Any) -> Any:
        """Replace "{{ts:NAME}}" strings by saved timestamps."""
        if isinstance(value, str):
            match = _REF.match(value)
            return self._ts.get(match.group(1), value) if match else value
        if isinstance(value, dict):
            return {k: self.resolve(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        return value

    def drain(self) -> int:
        """Nothing is ever pending here."""
        return 0
