"""Slack's Web API rate limits as its documentation states them: the emulator's limits hook.

Slack evaluates limits per method, per workspace, per app, in per-minute windows
(https://api.slack.com/docs/rate-limits): Tier 1 allows 1+ calls a minute, Tier 2 20+, Tier 3 50+,
Tier 4 100+, each with some burst. `chat.postMessage` is special: "1 message per second to a specific
channel" with short bursts, under a workspace-wide limit of "several hundred messages per minute";
`auth.test` and `chat.getPermalink` allow "hundreds of requests per minute". A method's tier is on
its reference page (the table below is those pages' "Facts", for the methods the bot may call).
Beyond a limit Slack answers HTTP 429 with `Retry-After: <seconds>` and `{"ok": false, "error":
"ratelimited"}`.

Modelled here: every limit is a sliding window (at most N calls in any W seconds; the burst is the
window's whole allowance); a call counts only when accepted; Retry-After is the whole seconds until
the oldest counted call leaves the window. Where Slack says "N+" the model allows exactly N, and the
workspace-wide `chat.postMessage` limit ("several hundred a minute") is taken as 300: a bot that
keeps within these keeps within Slack's. `check` takes the time as an argument (no clock here).
"""

from __future__ import annotations

import math
import threading
from collections import defaultdict, deque
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

MINUTE = 60.0


@dataclass(frozen=True)
class Window:
    """At most `calls` accepted calls in any `seconds`."""

    calls: int
    seconds: float = MINUTE


TIER_1, TIER_2, TIER_3, TIER_4 = (Window(1), Window(20), Window(50), Window(100))
HUNDREDS_PER_MINUTE = Window(600)  # auth.test, chat.getPermalink: "hundreds of requests per minute"
POST_PER_CHANNEL = (Window(3, 1.0), Window(10, 10.0))  # 1 a second over 10 s, bursts of 3 ("short bursts >1")
POST_PER_WORKSPACE = Window(300)  # "several hundred messages per minute"

TIERS: Mapping[str, Window] = {
    "apps.connections.open": TIER_1,
    "auth.test": HUNDREDS_PER_MINUTE,
    "chat.delete": TIER_3,
    "chat.getPermalink": HUNDREDS_PER_MINUTE,
    "chat.postEphemeral": TIER_4,
    "chat.postMessage": POST_PER_WORKSPACE,
    "chat.update": TIER_3,
    "conversations.history": TIER_3,
    "conversations.info": TIER_3,
    "conversations.members": TIER_4,
    "conversations.open": TIER_3,
    "conversations.replies": TIER_3,
    "files.completeUploadExternal": TIER_4,
    "files.getUploadURLExternal": TIER_4,
    "files.upload": TIER_2,
    "users.info": TIER_4,
    "users.lookupByEmail": TIER_3,
    "views.open": TIER_4,
    "views.publish": TIER_4,
    "views.push": TIER_4,
    "views.update": TIER_4,
}
DEFAULT = TIER_2  # "most methods allow at least 20 requests per minute"
PER_CHANNEL: Mapping[str, tuple[Window, ...]] = {"chat.postMessage": POST_PER_CHANNEL}


class SlackRateLimits:
    """Counts the calls Slack accepted and says when one is over a limit (thread-safe)."""

    def __init__(
        self,
        tiers: Mapping[str, Window] = TIERS,
        per_channel: Mapping[str, tuple[Window, ...]] = PER_CHANNEL,
        default: Window = DEFAULT,
    ) -> None:
        self.tiers, self.per_channel, self.default = tiers, per_channel, default
        self._accepted: dict[tuple[str, str], deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def check(self, method: str, args: Mapping[str, Any], now: float) -> int | None:
        """Count the call at `now` (seconds) and return None, or return Retry-After (seconds) and count nothing."""
        limits = [((method, ""), self.tiers.get(method, self.default))]
        channel = "channel:" + str(args.get("channel") or "")
        limits += [((method, channel), window) for window in self.per_channel.get(method, ())]
        longest: dict[tuple[str, str], float] = defaultdict(float)
        for key, window in limits:
            longest[key] = max(longest[key], window.seconds)
        with self._lock:
            for key, keep in longest.items():
                accepted = self._accepted[key]
                while accepted and now - accepted[0] >= keep:
                    accepted.popleft()
            wait = max(self._wait(self._accepted[key], window, now) for key, window in limits)
            if wait > 0:
                return max(1, math.ceil(wait))
            for key in longest:
                self._accepted[key].append(now)
        return None

    @staticmethod
    def _wait(accepted: deque[float], window: Window, now: float) -> float:
        """How long until one more call fits this window (0: it fits now)."""
        inside = [t for t in accepted if now - t < window.seconds]
        if len(inside) < window.calls:
            return 0.0
        return inside[len(inside) - window.calls] + window.seconds - now
