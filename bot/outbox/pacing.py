"""Pacing calls to Slack per key (a method, or a method and channel): honour 429 Retry-After, then
stay under the rate Slack accepted, until Slack has had time to recover.

Slack's limits are per method (and workspace); chat.postMessage is also limited per channel, so its
key names the channel ("chat.postMessage C0CUTOVER"): a busy cutover thread does not hold back a DM.
After a 429 the key waits Retry-After; the number of calls Slack had accepted within the second
before the refused call became the key's allowed rate, so the following calls do not hit the limit
again. A learnt rate lifts once FORGET has passed without a 429 (Slack's windows are a minute at
most): a burst does not slow the calls of the rest of the night. A 429 on a channel that had no
accepted call for RECENT cannot be that channel's limit: it is the method's workspace-wide one, and
the whole method waits Retry-After. Once a limit is learnt, a call holds its slot from when it was
sent until one WINDOW after its answer came (Slack counted it on arrival, never later), and freed
slots are released in chunks of a tenth of the rate so that a burst of freed slots costs one
delivery pass, not one each.
"""

from __future__ import annotations

import threading
from collections import defaultdict, deque
from datetime import datetime, timedelta

SECOND = timedelta(seconds=1)
WINDOW = SECOND + timedelta(milliseconds=5)  # Slack's one-second window, with a margin for clock jitter
FORGET = timedelta(seconds=60)  # a learnt rate lifts after this long without a 429
RECENT = timedelta(seconds=10)  # a channel with no accepted call this long cannot be over its own limit


def group_of(key: str) -> str:
    """The method a key paces ("chat.postMessage C0CUTOVER" -> "chat.postMessage")."""
    return key.split(" ", 1)[0]


class Pacer:
    """Per-key pacing learnt from 429s: no more calls per second than Slack last allowed, for a while."""

    def __init__(self) -> None:
        self.sent: dict[str, deque[datetime]] = defaultdict(
            deque
        )  # slots held: answer times (sent while in flight)
        self.in_flight: dict[str, list[datetime]] = defaultdict(list)  # when the calls not yet answered went
        self.accepted: dict[str, deque[datetime]] = defaultdict(
            deque
        )  # when recently accepted calls arrived (about)
        self.allowed: dict[str, int] = {}
        self.learnt_at: dict[str, datetime] = {}
        self.paused_until: dict[str, datetime] = {}  # per key, and per method (a workspace-wide 429)
        self.last_accepted: dict[str, datetime] = {}
        self.lock = threading.RLock()

    def reserve(self, method: str, now: datetime) -> bool:
        """Take a slot for a call now, if the key may be called now."""
        with self.lock:
            until = self._paused(method)
            allowed = self._allowed(method, now)
            if (until and until > now) or (allowed and len(self._trim(method, now)) >= allowed):
                return False
            recent = self.sent[method]
            while recent and now - recent[0] >= WINDOW:  # calls go at the real now: older slots are free
                recent.popleft()
            recent.append(now)
            self.in_flight[method].append(now)
            return True

    def ready_at(self, method: str, now: datetime) -> datetime | None:
        """None when calls may go now, else the moment a chunk of them may (waking per slot costs a pass each)."""
        with self.lock:
            until = self._paused(method)
            if until and until > now:
                return until
            recent = self._trim(method, now)
            allowed = self._allowed(method, now)
            if not allowed:
                return None
            keep = allowed - _chunk(allowed)  # at most this many may still be in the window
            if len(recent) > keep:
                return recent[len(recent) - keep - 1] + WINDOW
            return None

    def next_slot(self, method: str, now: datetime) -> datetime | None:
        """When the next call may go (None: now): the pause's end, or when the oldest slot frees."""
        with self.lock:
            until = self._paused(method)
            if until and until > now:
                return until
            recent, allowed = self._trim(method, now), self._allowed(method, now)
            if allowed and len(recent) >= allowed:
                return recent[len(recent) - allowed] + WINDOW
            return None

    def budget(self, method: str, now: datetime) -> int | None:
        """How many calls may go now (None: no limit learnt yet; 0 until a chunk is free)."""
        with self.lock:
            if self.ready_at(method, now) is not None:
                return 0
            allowed = self._allowed(method, now)
            return None if allowed is None else max(0, allowed - len(self._trim(method, now)))

    def answered(self, method: str, sent: datetime, done: datetime) -> None:
        """Count an accepted call from when its answer came: Slack counted it on arrival, no later."""
        with self.lock:
            self._forget(method, sent)
            recent = self.sent[method]
            recent.append(done)
            if len(recent) > 1 and recent[-2] > done:
                self.sent[method] = deque(sorted(recent))
            accepted = self.accepted[method]
            accepted.append(sent + (done - sent) / 2)  # Slack saw it between sending and answer: halfway
            self.last_accepted[method] = max(self.last_accepted.get(method, done), accepted[-1])
            while accepted and done - accepted[0] > 2 * SECOND:
                accepted.popleft()

    def limited(self, method: str, now: datetime, after: float, at: datetime | None = None) -> None:
        """Slack answered 429 (at `at`) to the call sent at `now`: wait Retry-After, then keep under the rate it accepted.

        The rate is what Slack accepted in the second before the refused call arrived (arrivals taken
        halfway between sending and answer; calls still in flight that went before it included). A
        429 under a learnt rate means the rate was too high: it only ever goes down then.
        """
        with self.lock:
            self._forget(method, now)  # the refused call does not count as accepted
            pause = now + timedelta(seconds=after)
            group = group_of(method)
            last = self.last_accepted.get(method)
            if group != method and (last is None or now - last > RECENT):  # the method's own limit
                self.paused_until[group] = max(self.paused_until.get(group, now), pause)
                return
            arrived = now + ((at or now) - now) / 2
            count = sum(1 for s in self.accepted[method] if arrived - SECOND < s <= arrived)
            count += sum(1 for s in self.in_flight[method] if arrived - SECOND < s < now)
            learnt = self.learnt_at.get(method)
            if learnt is None or now <= learnt:  # a call that went before the rate was learnt: learn again
                self.allowed[method] = max(1, count)
                self.learnt_at[method] = max(learnt or now, at or now)
            else:
                self.allowed[method] = max(1, min(count, self.allowed[method] - 1))
            self.paused_until[method] = max(self.paused_until.get(method, now), pause)

    def _paused(self, key: str) -> datetime | None:
        """Until when calls of this key wait (its own pause, or its method's), if they do."""
        pauses = [p for p in (self.paused_until.get(key), self.paused_until.get(group_of(key))) if p]
        return max(pauses) if pauses else None

    def _allowed(self, key: str, now: datetime) -> int | None:
        """The learnt rate of a key, until FORGET has passed since its last 429 (then Slack has recovered)."""
        allowed = self.allowed.get(key)
        if allowed is not None and now - max(self.learnt_at[key], self.paused_until.get(key, now)) > FORGET:
            del self.allowed[key], self.learnt_at[key]
            return None
        return allowed

    def _forget(self, method: str, sent: datetime) -> None:
        recent, flying = self.sent[method], self.in_flight[method]
        if sent in recent:
            recent.remove(sent)
        if sent in flying:
            flying.remove(sent)

    def _trim(self, method: str, now: datetime) -> list[datetime]:
        """The slots held at `now`, oldest first (`now` may be ahead: nothing is forgotten early)."""
        recent = self.sent[method]
        return sorted(r for r in recent if now - r < WINDOW)


def _chunk(allowed: int) -> int:
    """Calls released together under a learnt rate: a tenth of it."""
    return max(1, allowed // 10)
