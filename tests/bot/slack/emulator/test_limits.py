"""Slack's documented rate limits, as the stand-ins enforce them: tiers per method, chat.postMessage per channel."""

from __future__ import annotations

from bot.slack.emulator.limits import SlackRateLimits


def calls(limits: SlackRateLimits, method: str, n: int, at: float, **args) -> list[int | None]:
    return [limits.check(method, args, at) for _ in range(n)]


def test_a_tier_3_method_allows_50_calls_a_minute_then_429_until_the_oldest_leaves_the_window():
    limits = SlackRateLimits()
    assert calls(limits, "conversations.open", 50, 0.0, users="U1") == [None] * 50
    assert limits.check("conversations.open", {"users": "U2"}, 10.0) == 50
    assert limits.check("conversations.open", {"users": "U2"}, 59.5) == 1
    assert limits.check("conversations.open", {"users": "U2"}, 60.0) is None


def test_each_method_has_its_own_allowance_and_unknown_methods_are_tier_2():
    limits = SlackRateLimits()
    assert calls(limits, "chat.update", 50, 0.0, channel="C1") == [None] * 50
    assert limits.check("chat.update", {"channel": "C1"}, 0.0) == 60
    assert calls(limits, "views.publish", 100, 0.0) == [None] * 100, "Tier 4"
    assert limits.check("views.publish", {}, 0.0) == 60
    assert calls(limits, "reactions.add", 20, 0.0) == [None] * 20
    assert limits.check("reactions.add", {}, 1.0) == 59


def test_refused_calls_do_not_count():
    limits = SlackRateLimits()
    assert calls(limits, "apps.connections.open", 1, 0.0) == [None], "Tier 1: one a minute"
    assert calls(limits, "apps.connections.open", 5, 30.0) == [30] * 5
    assert limits.check("apps.connections.open", {}, 60.0) is None


def test_chat_post_message_allows_a_short_burst_per_channel_then_one_a_second():
    limits = SlackRateLimits()
    assert calls(limits, "chat.postMessage", 3, 0.0, channel="C1") == [None] * 3
    assert limits.check("chat.postMessage", {"channel": "C1"}, 0.5) == 1
    assert limits.check("chat.postMessage", {"channel": "C2"}, 0.5) is None, "another channel is not limited"
    assert [limits.check("chat.postMessage", {"channel": "C1"}, t) for t in (1.0, 1.0, 1.0, 1.2)] == [
        None,
        None,
        None,
        1,
    ]
    # 10 in any 10 seconds: a steady stream gets about one a second.
    accepted = sum(limits.check("chat.postMessage", {"channel": "C3"}, t / 10) is None for t in range(100))
    assert accepted == 10


def test_chat_post_message_has_a_workspace_wide_limit_across_channels():
    limits = SlackRateLimits()
    assert [limits.check("chat.postMessage", {"channel": f"U{n:05d}"}, 0.0) for n in range(300)] == [
        None
    ] * 300
    assert limits.check("chat.postMessage", {"channel": "U99999"}, 1.0) == 59
    assert limits.check("chat.postMessage", {"channel": "U99999"}, 60.0) is None
