"""The pacer against a simulated Slack window: one 429 to learn the limit, then none, at nearly the full rate."""

from __future__ import annotations

from collections import deque
from datetime import UTC, datetime, timedelta

import pytest

from bot.outbox.pacing import Pacer

T0 = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)
MS = timedelta(milliseconds=1)


def run(
    offer_every: timedelta, seconds: int, limit: int = 50, latency: timedelta = 4 * MS
) -> tuple[int, int]:
    """Offer calls at a steady pace to a sliding one-second window of `limit`; return (accepted, refused)."""
    pacer, window, accepted, refused = Pacer(), deque(), 0, 0
    t, end = T0, T0 + timedelta(seconds=seconds)
    waiting, next_offer = (10**6, end) if not offer_every else (0, T0)  # 0: everything queued at once
    while t < end:
        while next_offer <= t:
            waiting, next_offer = waiting + 1, next_offer + offer_every
        while waiting and pacer.reserve("chat.postMessage", t):
            arrival = t + latency / 2
            while window and arrival - window[0] >= timedelta(seconds=1):
                window.popleft()
            if len(window) >= limit:
                refused += 1
                pacer.limited("chat.postMessage", t, 1.0, at=t + latency)
                break
            window.append(arrival)
            pacer.answered("chat.postMessage", t, t + latency)
            accepted, waiting = accepted + 1, waiting - 1
        t += MS
    return accepted, refused


@pytest.mark.parametrize("offer_every", [timedelta(0), 5 * MS, 16 * MS, 19 * MS])
def test_one_429_teaches_the_limit_and_the_rate_stays_near_it(offer_every):
    accepted, refused = run(offer_every, seconds=8)
    assert refused == 1, "after the first 429 the learnt rate keeps every call under the limit"
    assert accepted >= 0.95 * 50 * 7, (
        "the learnt rate is the limit (less the one Retry-After pause), not a fraction"
    )


def test_a_learnt_rate_lifts_once_slack_has_had_a_minute_without_a_429():
    pacer = Pacer()
    for n in range(3):  # a burst: three calls answered, the fourth refused
        pacer.reserve("chat.postMessage C1", T0 + n * MS)
        pacer.answered("chat.postMessage C1", T0 + n * MS, T0 + (n + 1) * MS)
    pacer.reserve("chat.postMessage C1", T0 + 3 * MS)
    pacer.limited("chat.postMessage C1", T0 + 3 * MS, 1.0, at=T0 + 4 * MS)
    assert pacer.reserve("chat.postMessage C1", T0 + 500 * MS) is False, "Retry-After is honoured"
    assert pacer.budget("chat.postMessage C1", T0 + timedelta(seconds=2)) == 3, "then the learnt rate holds"
    later = T0 + timedelta(seconds=62)
    assert pacer.budget("chat.postMessage C1", later) is None, "a minute later the limit is forgotten"
    assert all(pacer.reserve("chat.postMessage C1", later) for _ in range(20)), "20 calls go at once"


def test_a_busy_channel_holds_back_only_itself():
    pacer = Pacer()
    pacer.reserve("chat.postMessage C0CUTOVER", T0)
    pacer.answered("chat.postMessage C0CUTOVER", T0, T0 + MS)
    pacer.reserve("chat.postMessage C0CUTOVER", T0 + 2 * MS)
    pacer.limited("chat.postMessage C0CUTOVER", T0 + 2 * MS, 1.0, at=T0 + 3 * MS)
    assert pacer.reserve("chat.postMessage C0CUTOVER", T0 + 10 * MS) is False
    assert pacer.reserve("chat.postMessage U01AAAA", T0 + 10 * MS) is True, "a DM is another channel"
    assert pacer.reserve("chat.update", T0 + 10 * MS) is True, "another method"


def test_a_429_on_a_quiet_channel_is_the_workspace_limit_and_holds_back_the_whole_method():
    pacer = Pacer()
    pacer.reserve("chat.postMessage U00000301", T0)
    pacer.limited("chat.postMessage U00000301", T0, 60.0, at=T0 + MS)  # its first call: not its own limit
    assert pacer.reserve("chat.postMessage U00000302", T0 + timedelta(seconds=30)) is False
    assert pacer.next_slot("chat.postMessage U00000302", T0) == T0 + timedelta(seconds=60)
    assert pacer.reserve("chat.update", T0 + MS) is True
    assert pacer.reserve("chat.postMessage U00000302", T0 + timedelta(seconds=60)) is True, "and recovers"
