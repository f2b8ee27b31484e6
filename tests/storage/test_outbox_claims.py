"""Outbox claims: only the deliverer that holds a row's claim records its outcome or releases it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storage import outbox as store
from storage.db import create_db_engine

T0 = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)
LEASE = timedelta(seconds=15)


def queued(url: str):
    engine = create_db_engine(url)
    store.enqueue(
        engine=engine,
        key="parent:c1",
        order_key="c1",
        method="chat.postMessage",
        args={"channel": "C1", "text": "Cutover c1"},
        save_ts_as="parent:c1",
        now=T0,
    )
    (row,) = store.rows(engine=engine)
    return engine, row.id


def test_a_deliverer_whose_lease_ran_out_and_was_reclaimed_cannot_mark_or_release_the_row(db_url):
    engine, row_id = queued(db_url)
    stalled = store.begin_send(engine=engine, row_id=row_id, owner="A", now=T0, lease=LEASE)
    assert stalled is not None
    later = T0 + LEASE + timedelta(seconds=1)  # A stalled past its lease; B takes the row over
    taken = store.begin_send(engine=engine, row_id=row_id, owner="B", now=later, lease=LEASE)
    assert taken is not None and taken.maybe_sent  # B looks for A's message before sending

    # A comes back with its outcome: none of it is recorded, and B's claim stands
    assert (
        store.mark_retry(engine=engine, row_id=row_id, owner="A", error="timeout", next_attempt_at=later)
        is None
    )
    assert store.mark_failed(engine=engine, row_id=row_id, owner="A", error="invalid_blocks") is False
    assert (
        store.mark_sent(engine=engine, row_id=row_id, owner="A", now=later, save_as="parent:c1", value="1.1")
        is False
    )
    (row,) = store.rows(engine=engine)
    assert (row.status, row.claimed_by, row.attempts, row.last_error) == (store.PENDING, "B", 0, "")
    assert row.sending_since is not None
    assert store.saved_value(engine=engine, name="parent:c1") is None
    # nor may A claim it again while B's lease runs (before, A's release let it send a second time)
    assert store.begin_send(engine=engine, row_id=row_id, owner="A", now=later, lease=LEASE) is None

    assert store.mark_sent(
        engine=engine, row_id=row_id, owner="B", now=later, save_as="parent:c1", value="2.2"
    )
    assert store.mark_failed(engine=engine, row_id=row_id, owner="A", error="late") is False
    (row,) = store.rows(engine=engine)
    assert (row.status, row.claimed_by, row.lease_until, row.sending_since, row.attempts) == (
        store.SENT,
        None,
        None,
        None,
        1,
    )
    assert store.saved_value(engine=engine, name="parent:c1") == "2.2"
    engine.dispose()


def test_an_expired_lease_nobody_took_over_still_records_its_outcome(db_url):
    engine, row_id = queued(db_url)
    assert store.begin_send(engine=engine, row_id=row_id, owner="A", now=T0, lease=LEASE)
    late = T0 + LEASE * 2
    attempts = store.mark_retry(
        engine=engine, row_id=row_id, owner="A", error="ratelimited", next_attempt_at=late, maybe_sent=True
    )
    assert attempts == 1
    (row,) = store.rows(engine=engine)
    assert (row.claimed_by, row.lease_until, row.last_error) == (None, None, "ratelimited")
    assert row.sending_since is not None  # the outcome is unknown: the next claim looks first
    again = store.begin_send(engine=engine, row_id=row_id, owner="A", now=late, lease=LEASE)
    assert again is not None and again.maybe_sent
    assert store.mark_sent(engine=engine, row_id=row_id, owner="A", now=late, save_as=None, value=None)
    assert store.rows(engine=engine)[0].status == store.SENT
    engine.dispose()
