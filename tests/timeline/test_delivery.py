"""The persistent outbox: nothing lost, nothing doubled, order kept per thread, retries honest."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from slack_sdk import WebClient

from bot.clock import FakeClock
from bot.outbox.persistent import PersistentOutbox
from bot.outbox.transports import Transports
from storage import outbox as store
from storage.db import create_db_engine
from tests.support.fake_slack_api import FakeSlackApi
from tests.timeline.harness import FakeSes

T0 = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)


@pytest.fixture
def slack():
    with FakeSlackApi() as api:
        yield api


def make_outbox(slack, db_url="sqlite://", clock=None, ses=None):
    clock = clock or FakeClock(T0)
    client = WebClient(token="xoxb-test", base_url=slack.url, timeout=2, retry_handlers=[])
    return PersistentOutbox(create_db_engine(db_url), clock, Transports.of(slack=client, ses=ses)), clock


def post(outbox, key, text, thread=None, order="thread:c1", save=None):
    args = {"channel": "#nxop-cutover", "text": text}
    if thread:
        args["thread_ts"] = thread
    outbox.enqueue(method="chat.postMessage", args=args, key=key, order=order, save_ts_as=save)


def test_same_key_is_delivered_once_and_thread_replies_name_their_parent(slack):
    outbox, _ = make_outbox(slack)
    post(outbox, "parent", "Cutover c1", save="parent:c1")
    post(outbox, "r1", "reply 1", thread="{{ts:parent:c1}}")
    post(outbox, "r1", "reply 1 again", thread="{{ts:parent:c1}}")
    assert outbox.drain() == 2
    calls = slack.calls_to("chat.postMessage")
    assert [c["args"]["text"] for c in calls] == ["Cutover c1", "reply 1"]
    assert calls[1]["args"]["thread_ts"] == outbox.ts("parent:c1")


def test_a_reply_waits_for_its_parent_even_across_order_keys(slack):
    outbox, _ = make_outbox(slack)
    post(outbox, "dm", "reply in another order", thread="{{ts:parent:c9}}", order="other")
    assert outbox.drain() == 0 and outbox.pending() == 1
    post(outbox, "parent", "Cutover c9", save="parent:c9", order="thread:c9")
    assert outbox.drain() == 2
    assert slack.calls_to("chat.postMessage")[1]["args"]["thread_ts"] == outbox.ts("parent:c9")


def test_429_waits_for_retry_after_then_delivers(slack):
    outbox, clock = make_outbox(slack)
    slack.rate_limit(2, retry_after=3)
    for i in range(4):
        post(outbox, f"m{i}", f"message {i}", order=f"o{i}")
    assert outbox.drain() == 2
    refused = [a for a in slack.attempts if a["status"] == 429]
    assert len(refused) == 1, "after a 429 the method is paused, not hammered"
    slack.rate_limit(None)
    clock.advance(timedelta(seconds=2))
    assert outbox.drain() == 0, "Retry-After (3 s) not yet elapsed"
    assert len(slack.attempts) == 3
    clock.advance(timedelta(seconds=1))
    assert outbox.drain() == 2
    assert sorted(c["args"]["text"] for c in slack.calls_to("chat.postMessage")) == [
        f"message {i}" for i in range(4)
    ]


def test_500_is_retried_with_backoff_and_blocks_only_its_own_thread(slack):
    outbox, clock = make_outbox(slack)
    slack.fail_next(1, status=500)
    post(outbox, "a1", "thread A first", order="thread:A")
    post(outbox, "a2", "thread A second", order="thread:A")
    post(outbox, "b1", "thread B", order="thread:B")
    assert outbox.drain() == 1
    assert [c["args"]["text"] for c in slack.calls_to("chat.postMessage")] == ["thread B"]
    row = store.rows(engine=outbox.db, status=store.PENDING)[0]
    assert row.key == "a1" and row.attempts == 1 and "500" in row.last_error
    clock.advance(timedelta(seconds=1))
    assert outbox.drain() == 2
    assert [c["args"]["text"] for c in slack.calls_to("chat.postMessage")] == [
        "thread B",
        "thread A first",
        "thread A second",
    ]


def test_slack_down_for_ten_minutes_loses_nothing_and_keeps_thread_order(slack):
    outbox, clock = make_outbox(slack)
    post(outbox, "parent", "Cutover c1", save="parent:c1")
    slack.down(True)
    for minute in range(10):
        post(outbox, f"status{minute}", f"status {minute}", thread="{{ts:parent:c1}}")
        post(outbox, f"ops{minute}", f"ops {minute}", order="channel:#ops")
        clock.advance(timedelta(minutes=1))
        outbox.drain()
    assert slack.calls == []
    backoffs = [r.next_attempt_at for r in store.rows(engine=outbox.db, status=store.PENDING)]
    assert max(store.utc(b) - clock.now() for b in backoffs) <= timedelta(seconds=60), "backoff is capped"
    slack.down(False)
    clock.advance(timedelta(seconds=60))
    assert outbox.drain() == 21
    texts = [c["args"]["text"] for c in slack.calls_to("chat.postMessage")]
    assert [t for t in texts if t.startswith(("Cutover", "status"))] == ["Cutover c1"] + [
        f"status {m}" for m in range(10)
    ]
    assert [t for t in texts if t.startswith("ops")] == [f"ops {m}" for m in range(10)]
    assert len(texts) == len(set(texts)) == 21


def test_a_refusal_no_retry_can_fix_does_not_block_the_rows_after_it(slack):
    outbox, _ = make_outbox(slack)
    slack.fail_next(1, status=400)
    post(outbox, "bad", "to a channel that does not exist")
    post(outbox, "good", "the next one")
    assert outbox.drain() == 1
    [failed] = store.rows(engine=outbox.db, status=store.FAILED)
    assert failed.key == "bad" and failed.last_error


def test_email_goes_through_ses_and_is_retried(slack):
    ses = FakeSes()
    ses.failures = 2
    outbox, clock = make_outbox(slack, ses=ses)
    outbox.enqueue(
        method="ses.send_email",
        key="mail1",
        order="ses",
        args={"to": ["ops@example.com"], "subject": "Maintenance", "body": "Tonight"},
    )
    post(outbox, "slack1", "not blocked by SES")
    assert outbox.drain() == 1 and ses.sent == []
    clock.advance(timedelta(seconds=1))
    outbox.drain()
    clock.advance(timedelta(seconds=2))
    assert outbox.drain() == 1
    [mail] = ses.sent
    assert mail["Destination"] == {"ToAddresses": ["ops@example.com"]}
    assert mail["Message"]["Subject"]["Data"] == "Maintenance"


def test_rows_survive_a_restart_over_the_same_file(slack, tmp_path):
    url = f"sqlite:///{tmp_path / 'outbox.db'}"
    first, clock = make_outbox(slack, url)
    slack.down(True)
    post(first, "p", "queued before the crash", save="parent:c1")
    first.drain()
    slack.down(False)
    second, _ = make_outbox(slack, url, clock=clock)
    post(second, "p", "queued again after the restart", save="parent:c1")
    clock.advance(timedelta(seconds=5))
    assert second.drain() == 1
    assert [c["args"]["text"] for c in slack.calls_to("chat.postMessage")] == ["queued before the crash"]
    assert second.ts("parent:c1")


def test_dm_channel_from_conversations_open_is_saved_for_the_post(slack):
    outbox, _ = make_outbox(slack)
    outbox.enqueue(
        method="conversations.open",
        args={"users": "U01AAAA"},
        key="dm:U01AAAA",
        order="dm:U01AAAA",
        save_ts_as="dm:U01AAAA",
    )
    outbox.enqueue(
        method="chat.postMessage",
        args={"channel": "{{ts:dm:U01AAAA}}", "text": "ping"},
        key="ping1",
        order="dm:U01AAAA",
    )
    assert outbox.drain() == 2
    assert slack.calls_to("chat.postMessage")[0]["args"]["channel"].startswith("D")


def test_background_deliverer_delivers_without_drain(slack, tmp_path):
    from bot.clock import SystemClock

    client = WebClient(token="xoxb-test", base_url=slack.url, timeout=2)
    # a database file, as `serve` runs it: in memory, SQLite has one connection, which threads cannot share
    database = create_db_engine(f"sqlite:///{tmp_path / 'outbox.db'}")
    outbox = PersistentOutbox(database, SystemClock(), Transports.of(slack=client), poll_seconds=0.05)
    outbox.start()
    try:
        post(outbox, "bg", "from the background")
        deadline = time.monotonic() + 10  # generous: the whole suite may be loading both cores
        while not slack.calls_to("chat.postMessage") and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        outbox.stop()
    assert [c["args"]["text"] for c in slack.calls_to("chat.postMessage")] == ["from the background"]


def test_email_through_moto_ses(slack):
    import boto3
    from moto import mock_aws

    with mock_aws():
        ses = boto3.client(
            "ses", region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing"
        )
        ses.verify_email_identity(EmailAddress="cutover-bot@example.com")
        outbox, _ = make_outbox(slack, ses=ses)
        outbox.enqueue(
            method="ses.send_email",
            key="mail",
            order="ses",
            args={"to": ["ops@example.com"], "subject": "Maintenance", "body": "Tonight"},
        )
        assert outbox.drain() == 1
        assert ses.get_send_quota()["SentLast24Hours"] == 1
