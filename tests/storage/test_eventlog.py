"""The event log on SQLite and PostgreSQL: appends, conflicts, request keys, the hash chain."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlmodel import Session

from cutover import events as ev
from storage import eventlog
from storage.db import create_db_engine
from storage.eventlog import AlreadyApplied, Conflict, Pending

T = datetime(2026, 12, 1, 2, 0, 0, 123456, tzinfo=UTC)


def batch(*events, at=T, actor="U01AAAA"):
    return [Pending(actor=actor, at=at, event=e) for e in events]


@pytest.fixture
def db(db_url):
    engine = create_db_engine(db_url)
    yield engine
    engine.dispose()


def seeded(db, n=5):
    eventlog.append(
        engine=db,
        cutover_id="c1",
        expected_seq=0,
        batch=batch(ev.CutoverPlanned(runbook_id="nxop", title="t")),
    )
    for i in range(1, n):
        eventlog.append(
            engine=db,
            cutover_id="c1",
            expected_seq=i,
            batch=batch(
                ev.NoteAdded(category="issue", text=f"note {i} — ünïcode"), at=T + timedelta(seconds=i)
            ),
        )


def test_append_and_read_back_in_order_with_aware_times(db):
    seeded(db)
    history = eventlog.history(engine=db, cutover_id="c1")
    assert [r.seq for r in history] == [1, 2, 3, 4, 5]
    assert history[0].event == ev.CutoverPlanned(runbook_id="nxop", title="t")
    assert history[0].at == T and history[0].at.tzinfo is not None
    assert history[4].event.text == "note 4 — ünïcode"
    assert [r.seq for r in eventlog.history(engine=db, cutover_id="c1", after_seq=3)] == [4, 5]


def test_append_with_a_stale_seq_is_a_conflict_and_writes_nothing(db):
    seeded(db, n=2)
    with pytest.raises(Conflict):
        eventlog.append(engine=db, cutover_id="c1", expected_seq=1, batch=batch(ev.Resumed()))
    assert len(eventlog.history(engine=db, cutover_id="c1")) == 2


def test_a_request_key_applies_once(db):
    seeded(db, n=1)
    eventlog.append(
        engine=db, cutover_id="c1", expected_seq=1, batch=batch(ev.Paused(reason="x")), key="slash:T1"
    )
    with pytest.raises(AlreadyApplied):
        eventlog.append(
            engine=db, cutover_id="c1", expected_seq=2, batch=batch(ev.Paused(reason="x")), key="slash:T1"
        )
    assert len(eventlog.history(engine=db, cutover_id="c1")) == 2
    assert eventlog.was_applied(engine=db, key="slash:T1")


def test_an_untouched_chain_verifies(db):
    seeded(db)
    result = eventlog.verify(engine=db, cutover_id="c1")
    assert result.ok and result.rows == 5


def test_a_modified_row_is_found(db):
    seeded(db)
    with Session(db) as session:
        session.execute(
            text("UPDATE events SET payload = :p WHERE cutover_id = 'c1' AND seq = 3"),
            {"p": '{"category": "issue", "text": "rewritten"}'},
        )
        session.commit()
    result = eventlog.verify(engine=db, cutover_id="c1")
    assert not result.ok and result.first_bad_seq == 3 and result.problem == "row_modified"


def test_a_changed_actor_is_found(db):
    seeded(db)
    with Session(db) as session:
        session.execute(text("UPDATE events SET actor = 'U0MALLORY' WHERE cutover_id = 'c1' AND seq = 2"))
        session.commit()
    assert eventlog.verify(engine=db, cutover_id="c1").first_bad_seq == 2


def test_a_deleted_row_is_found(db):
    seeded(db)
    with Session(db) as session:
        session.execute(text("DELETE FROM events WHERE cutover_id = 'c1' AND seq = 2"))
        session.commit()
    result = eventlog.verify(engine=db, cutover_id="c1")
    assert not result.ok and result.first_bad_seq == 2 and result.problem == "row_missing"


def test_a_row_inserted_in_the_middle_is_found(db):
    seeded(db)
    with Session(db) as session:  # renumber rows 3.. to make room, then insert a forged row 3
        session.execute(text("UPDATE events SET seq = seq + 100 WHERE cutover_id = 'c1' AND seq >= 3"))
        session.execute(text("UPDATE events SET seq = seq - 99 WHERE cutover_id = 'c1' AND seq >= 103"))
        session.execute(
            text(
                "INSERT INTO events (cutover_id, seq, at, actor, kind, payload, prev_hash, hash) "
                "SELECT cutover_id, 3, at, actor, kind, payload, prev_hash, hash FROM events "
                "WHERE cutover_id = 'c1' AND seq = 2"
            )
        )
        session.commit()
    result = eventlog.verify(engine=db, cutover_id="c1")
    assert not result.ok and result.first_bad_seq == 3 and result.problem == "row_out_of_chain"


def test_a_row_appended_by_hand_at_the_end_is_found(db):
    seeded(db)
    with Session(db) as session:
        session.execute(
            text(
                "INSERT INTO events (cutover_id, seq, at, actor, kind, payload, prev_hash, hash) "
                "SELECT cutover_id, 6, at, actor, kind, payload, prev_hash, hash FROM events "
                "WHERE cutover_id = 'c1' AND seq = 5"
            )
        )
        session.commit()
    assert eventlog.verify(engine=db, cutover_id="c1").first_bad_seq == 6


def test_cutover_ids_oldest_first(db):
    for cid in ("b", "a", "c"):
        eventlog.append(engine=db, cutover_id=cid, expected_seq=0, batch=batch(ev.Resumed()))
    assert eventlog.cutover_ids(engine=db) == ["b", "a", "c"]


def test_an_unknown_event_kind_is_kept_and_folds_as_a_no_op(db):
    seeded(db, n=1)
    opaque = ev.event_from("future.kind", {"x": 1})
    eventlog.append(engine=db, cutover_id="c1", expected_seq=1, batch=batch(opaque))
    history = eventlog.history(engine=db, cutover_id="c1")
    assert history[1].event.payload() == {"x": 1} and ev.kind_of(history[1].event) == "future.kind"
    assert eventlog.verify(engine=db, cutover_id="c1").ok
