"""At most once: a message whose send may have happened is looked for in Slack before it is sent again,
and a row claimed by another deliverer is never sent while its lease holds."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from slack_sdk import WebClient

from bot.clock import FakeClock
from bot.outbox import lookup
from bot.outbox.persistent import PersistentOutbox
from bot.outbox.transports import Transports
from storage import outbox as store
from storage.db import create_db_engine
from tests.support.fake_slack_api import FakeSlackApi

T0 = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)
CHANNEL = "C0CUTOVER"


@pytest.fixture
def slack():
    with FakeSlackApi() as api:
        yield api


def deliverer(
    slack, database, clock, timeout: float = 2.0, user_token: str | None = None
) -> PersistentOutbox:
    """A deliverer as a (re)started process has it: its own client, its own identity (and a user token
    that reads channel threads, when given)."""
    slack.emulator.clock = clock  # Slack's message timestamps and the bot's clock agree, as they do for real
    client = WebClient(token="xoxb-test", base_url=slack.url, timeout=timeout, retry_handlers=[])
    reader = (
        WebClient(token=user_token, base_url=slack.url, timeout=timeout, retry_handlers=[])
        if user_token
        else None
    )
    return PersistentOutbox(database, clock, Transports.of(slack=client, slack_reader=reader))


def post(outbox, key: str, text: str, thread: str | None = None, order: str = "thread:c1") -> None:
    args = {"channel": CHANNEL, "text": text}
    if thread:
        args["thread_ts"] = thread
    outbox.enqueue(method="chat.postMessage", args=args, key=key, order=order)


def posted_texts(slack) -> list[str]:
    return [c["args"]["text"] for c in slack.calls_to("chat.postMessage")]


class Crash(BaseException):
    """The process dies right here (not an error any code handles)."""


def test_every_post_carries_its_outbox_key_in_the_message_metadata(slack, tmp_path):
    outbox = deliverer(slack, create_db_engine(f"sqlite:///{tmp_path / 'c.db'}"), FakeClock(T0))
    post(outbox, "note:1", "hello")
    outbox.drain()
    (call,) = slack.calls_to("chat.postMessage")
    assert call["args"]["metadata"] == {
        "event_type": lookup.METADATA_TYPE,
        "event_payload": {"outbox_key": "note:1"},
    }


def test_a_post_in_flight_at_a_crash_is_found_in_the_channel_and_not_posted_again(
    slack, tmp_path, monkeypatch
):
    database, clock = create_db_engine(f"sqlite:///{tmp_path / 'c.db'}"), FakeClock(T0)
    first = deliverer(slack, database, clock)
    post(first, "parent", "Cutover c1", order="c1")
    with monkeypatch.context() as patched:

        def die(**_kwargs):
            raise Crash

        patched.setattr(store, "mark_sent", die)  # Slack has the message; the process dies before noting it
        with pytest.raises(Crash):
            first.drain()
    assert posted_texts(slack) == ["Cutover c1"]

    restarted = deliverer(slack, database, clock)
    assert restarted.drain() == 0  # the dead process's lease still holds: nobody sends meanwhile
    clock.advance(store_lease() + timedelta(seconds=1))
    restarted.drain()
    assert posted_texts(slack) == ["Cutover c1"]  # looked up, found, not posted again
    (row,) = store.rows(engine=database)
    assert row.status == store.SENT and row.sending_since is None
    lookup_call = slack.calls[-1]
    assert lookup_call["method"] == "conversations.history"
    # only what came after the send began (less a minute for clocks that differ) is read
    assert float(lookup_call["args"]["oldest"]) == (T0 - lookup.EARLIER).timestamp()
    assert str(lookup_call["args"]["inclusive"]).lower() in ("1", "true")


def timed_out_thread_reply(slack, outbox, channel: str) -> None:
    """A parent posted, then a reply that Slack posts but answers after the client gave up; retried later."""
    outbox.enqueue(
        method="chat.postMessage",
        args={"channel": channel, "text": "Cutover c1"},
        key="parent",
        order="c1",
        save_ts_as="parent:c1",
    )
    outbox.drain()
    slack.slow("chat.postMessage", 1.0)
    outbox.enqueue(
        method="chat.postMessage",
        args={"channel": channel, "text": "a reply", "thread_ts": outbox.ts("parent:c1")},
        key="reply",
        order="thread:c1",
    )
    outbox.drain()
    slack.slow("chat.postMessage", 0.0)
    assert outbox.pending() == 1  # to retry: it may have been posted


def test_a_thread_reply_in_a_dm_that_timed_out_is_looked_for_in_its_thread(slack, tmp_path):
    database, clock = create_db_engine(f"sqlite:///{tmp_path / 'c.db'}"), FakeClock(T0)
    outbox = deliverer(slack, database, clock, timeout=0.5)
    timed_out_thread_reply(slack, outbox, "U01AAAA")  # a DM: a bot token may read its threads
    clock.advance(timedelta(minutes=2))
    outbox.drain()
    assert posted_texts(slack) == ["Cutover c1", "a reply"]
    assert outbox.pending() == 0
    assert "conversations.replies" in [c["method"] for c in slack.calls]


def test_a_thread_reply_in_a_channel_is_not_looked_for_with_a_method_bots_may_not_use_there(slack, tmp_path):
    """Slack: bot tokens may not call conversations.replies on public or private channels, and
    conversations.history lists no thread replies: such a reply cannot be looked for and is sent again."""
    database, clock = create_db_engine(f"sqlite:///{tmp_path / 'c.db'}"), FakeClock(T0)
    outbox = deliverer(slack, database, clock, timeout=0.5)
    timed_out_thread_reply(slack, outbox, CHANNEL)
    clock.advance(timedelta(minutes=2))
    outbox.drain()
    assert outbox.pending() == 0
    methods = [c["method"] for c in slack.calls]
    assert "conversations.replies" not in methods and "conversations.history" not in methods
    assert posted_texts(slack) == ["Cutover c1", "a reply", "a reply"]  # at least once, here


def test_with_the_user_token_a_thread_reply_in_a_channel_is_found_in_its_thread_and_not_posted_again(
    slack, tmp_path
):
    database, clock = create_db_engine(f"sqlite:///{tmp_path / 'c.db'}"), FakeClock(T0)
    outbox = deliverer(slack, database, clock, timeout=0.5, user_token="xoxp-reader")
    timed_out_thread_reply(slack, outbox, CHANNEL)
    clock.advance(timedelta(minutes=2))
    outbox.drain()
    assert outbox.pending() == 0
    assert posted_texts(slack) == ["Cutover c1", "a reply"]  # at most once, here too
    tokens = {c["method"]: c["headers"].get("Authorization") for c in slack.calls}
    assert tokens["conversations.replies"] == "Bearer xoxp-reader"  # the user token reads the thread
    assert tokens["chat.postMessage"] == "Bearer xoxb-test"  # and nothing else: the bot posts
    assert slack.emulator.contract_errors == []


def test_with_the_user_token_a_thread_reply_that_did_not_go_out_is_sent_once_after_the_lookup(
    slack, tmp_path, monkeypatch
):
    database, clock = create_db_engine(f"sqlite:///{tmp_path / 'c.db'}"), FakeClock(T0)
    outbox = deliverer(slack, database, clock, timeout=0.5, user_token="xoxp-reader")
    outbox.enqueue(
        method="chat.postMessage",
        args={"channel": CHANNEL, "text": "Cutover c1"},
        key="parent",
        order="c1",
        save_ts_as="parent:c1",
    )
    outbox.drain()
    slack.fail_next(1, status=500)  # the reply is answered 5xx: it may or may not have been posted
    outbox.enqueue(
        method="chat.postMessage",
        args={"channel": CHANNEL, "text": "a reply", "thread_ts": outbox.ts("parent:c1")},
        key="reply",
        order="thread:c1",
    )
    outbox.drain()
    clock.advance(timedelta(minutes=2))
    outbox.drain()
    assert outbox.pending() == 0
    assert posted_texts(slack) == ["Cutover c1", "a reply"]
    assert "conversations.replies" in [c["method"] for c in slack.calls]


def test_a_message_that_did_not_go_out_is_sent_after_the_lookup_finds_nothing(slack, tmp_path, monkeypatch):
    database, clock = create_db_engine(f"sqlite:///{tmp_path / 'c.db'}"), FakeClock(T0)
    first = deliverer(slack, database, clock)
    post(first, "note", "the only copy")
    row_id = store.rows(engine=database)[0].id
    store.begin_send(engine=database, row_id=row_id, owner="dead", now=clock.now(), lease=store_lease())
    # ... and the process died before its call left: Slack never saw it
    restarted = deliverer(slack, database, clock)
    clock.advance(store_lease() + timedelta(seconds=1))
    restarted.drain()
    assert posted_texts(slack) == ["the only copy"]


def test_a_row_leased_to_a_stalled_deliverer_is_not_sent_by_another_until_the_lease_ends(slack, tmp_path):
    database, clock = create_db_engine(f"sqlite:///{tmp_path / 'c.db'}"), FakeClock(T0)
    outbox = deliverer(slack, database, clock)
    post(outbox, "note", "once")
    row_id = store.rows(engine=database)[0].id
    claim = store.begin_send(
        engine=database, row_id=row_id, owner="stalled", now=clock.now(), lease=store_lease()
    )
    assert claim is not None and not claim.maybe_sent
    assert outbox.drain() == 0 and posted_texts(slack) == []
    clock.advance(store_lease())
    outbox.drain()
    assert posted_texts(slack) == ["once"]
    # the stalled one comes back: its lease is over, the row is no longer pending: it cannot claim it
    late = store.begin_send(
        engine=database, row_id=row_id, owner="stalled", now=clock.now(), lease=store_lease()
    )
    assert late is None


@pytest.mark.postgres
def test_two_deliverers_on_postgresql_post_each_message_once(slack):
    from tests.conftest import fresh_postgres, postgres_url

    url = postgres_url()
    fresh_postgres(url).dispose()
    clock = FakeClock(T0)
    first, second = (
        deliverer(slack, create_db_engine(url), clock),
        deliverer(slack, create_db_engine(url), clock),
    )
    for i in range(40):
        post(first, f"m{i}", f"message {i}", order=f"order-{i % 8}")
    threads = [threading.Thread(target=d.drain) for d in (first, second, first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    first.drain()
    texts = posted_texts(slack)
    assert sorted(texts) == sorted(f"message {i}" for i in range(40))
    assert len(texts) == len(set(texts)) == 40


def store_lease() -> timedelta:
    from bot.outbox.claims import LEASE

    return LEASE
