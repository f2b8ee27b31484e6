"""Pacing calls to Slack per method: honour 429 Retry-After, then stay under the rate Slack accepted.

Slack's limits are per method (and workspace). After a 429 the method waits Retry-After; the
number of calls it had accepted within the window becomes the method's allowed rate, so the
following calls do not hit the limit again. Calls count from when their answer came (Slack
counted them on arrival, never later), and are released in chunks of a fifth of the rate so that
a burst of freed slots costs one delivery pass, not one each.
"""

from __future__ import annotations

import threading
from collections import defaultdict, deque
from datetime import datetime, timedelta

WINDOW = timedelta(seconds=1.02)  # the rate window, with a little margin for clock and network jitter


class Pacer:
    """Per-method pacing learnt from 429s: no more calls per second than Slack last allowed."""

    def __init__(self) -> None:
        self.sent: dict[str, deque[datetime]] = defaultdict(deque)
        self.allowed: dict[str, int] = {}
        self.paused_until: dict[str, datetime] = {}
        self.lock = threading.RLock()

    def reserve(self, method: str, now: datetime) -> bool:
        """Take a slot for a call now, if the method may be called now."""
        with self.lock:
            until = self.paused_until.get(method)
            allowed = self.allowed.get(method)
            if (until and until > now) or (allowed and len(self._trim(method, now)) >= allowed):
                return False
            self.sent[method].append(now)
            return True

    def ready_at(self, method: str, now: datetime) -> datetime | None:
        """None when calls may go now, else the moment a chunk of them may (waking per slot costs a pass each)."""
        with self.lock:
            until = self.paused_until.get(method)
            if until and until > now:
                return until
            recent = self._trim(method, now)
            allowed = self.allowed.get(method)
            if not allowed:
                return None
            keep = allowed - _chunk(allowed)  # at most this many may still be in the window
            if len(recent) > keep:
                return recent[len(recent) - keep - 1] + WINDOW
            return None

    def budget(self, method: str, now: datetime) -> int | None:
        """How many calls may go now (None: no limit learnt yet; 0 until a chunk is free)."""
        with self.lock:
            if self.ready_at(method, now) is not None:
                return 0
            allowed = self.allowed.get(method)
            return None if allowed is None else max(0, allowed - len(self._trim(method, now)))

    def answered(self, method: str, sent: datetime, done: datetime) -> None:
        """Count an accepted call from when its answer came: Slack counted it on arrival, no later."""
        with self.lock:
            recent = self.sent[method]
            if sent in recent:
                recent.remove(sent)
            recent.append(done)
            if len(recent) > 1 and recent[-2] > done:
                self.sent[method] = deque(sorted(recent))

    def limited(self, method: str, now: datetime, after: float) -> None:
        """Slack answered 429 to the call reserved at `now`: wait Retry-After, then keep under the rate it accepted."""
        with self.lock:
            recent = self.sent[method]
            if now in recent:
                recent.remove(now)  # the refused call does not count as accepted
            self.allowed[method] = max(1, len(self._trim(method, now)))
            self.paused_until[method] = max(self.paused_until.get(method, now), now + timedelta(seconds=after))

    def _trim(self, method: str, now: datetime) -> deque[datetime]:
        recent = self.sent[method]
        while recent and now - recent[0] >= WINDOW:
            recent.popleft()
        return recent


def _chunk(allowed: int) -> int:
    """Calls released together under a learnt rate: a fifth of it."""
    return max(1, allowed // 5)
