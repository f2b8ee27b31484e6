"""The hashed text of a row: assembled around the stored payload text, byte for byte json.dumps's canonical form."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlmodel import Session

from cutover import events as ev
from storage import eventlog
from storage.db import create_db_engine
from storage.eventlog import Pending

T = datetime(2026, 12, 1, 2, 0, 0, 123456, tzinfo=UTC)
# any text: non-ASCII, quotes, backslashes, control characters (no lone surrogates: they are not UTF-8)
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=12,
)


def reference(cutover_id, seq, at, actor, kind, payload) -> str:
    """What the chain hashed before payloads were stored in canonical form: json.dumps of the whole row."""
    return json.dumps(
        {
            "cutover_id": cutover_id,
            "seq": seq,
            "at": at.astimezone(UTC).isoformat(),
            "actor": actor,
            "kind": kind,
            "payload": payload,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )


@settings(max_examples=300, deadline=None)
@given(
    cutover_id=TEXT,
    seq=st.integers(min_value=1, max_value=10**9),
    actor=TEXT,
    kind=TEXT,
    payload=st.dictionaries(TEXT, JSON, max_size=6),
    offset_us=st.integers(min_value=0, max_value=10**12),
)
def test_the_assembled_row_is_json_dumps_of_the_row(cutover_id, seq, actor, kind, payload, offset_us):
    at = T + timedelta(microseconds=offset_us)
    expected = reference(cutover_id, seq, at, actor, kind, payload)
    assert eventlog.canonical(cutover_id, seq, at, actor, kind, payload) == expected
    stored = eventlog.payload_text(payload)
    assert json.loads(stored) == json.loads(json.dumps(payload))
    assert eventlog.canonical_row(cutover_id, seq, at.isoformat(), actor, kind, stored) == expected


def test_nested_non_ascii_payloads_and_names():
    payload = {
        "z": [1, 2.5, {"é": 'ünïcode — "quoted" \\ back\nline\t\x1d'}],
        "a": {"b": None, "c": True},
        "日本": "語",
    }
    at = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
    expected = reference("cut-ö", 7, at, 'U0"Å', "note.added", payload)
    assert eventlog.canonical("cut-ö", 7, at, 'U0"Å', "note.added", payload) == expected
    assert '"日本":"語"' in expected and "\\u" not in expected.replace("\\u001d", "")


@pytest.fixture
def db(db_url):
    engine = create_db_engine(db_url)
    yield engine
    engine.dispose()


def appended(db):
    note = ev.NoteAdded(category="issue", text='ünïcode — {"nested": [1, 2]} | ok')
    eventlog.append(engine=db, cutover_id="c1", expected_seq=0, batch=[Pending("U01", T, note)])
    eventlog.append(
        engine=db,
        cutover_id="c1",
        expected_seq=1,
        batch=[
            Pending(
                "U02",
                T + timedelta(seconds=1),
                ev.event_from("future.kind", {"b": {"y": [1, "é"], "x": 2.0}}),
            )
        ],
    )


def stored_payload(db, seq):
    with Session(db) as session:
        return session.execute(
            text("SELECT payload FROM events WHERE cutover_id = 'c1' AND seq = :s"), {"s": seq}
        ).scalar_one()


def set_payload(db, seq, value):
    with Session(db) as session:
        session.execute(
            text("UPDATE events SET payload = :p WHERE cutover_id = 'c1' AND seq = :s"),
            {"p": value, "s": seq},
        )
        session.commit()


def test_payloads_are_stored_in_the_canonical_form_they_were_hashed_in(db):
    appended(db)
    assert stored_payload(db, 2) == '{"b":{"x":2.0,"y":[1,"é"]}}'
    events, audit = eventlog.history_verified(engine=db, cutover_id="c1")
    assert audit.ok and audit.rows == 2 and events[1].event.payload() == {"b": {"y": [1, "é"], "x": 2.0}}


def test_rows_stored_the_old_way_still_verify(db):
    """Logs written before payloads were stored compact (json.dumps's default separators) verify as before."""
    appended(db)
    for seq in (1, 2):
        set_payload(
            db, seq, json.dumps(json.loads(stored_payload(db, seq)), sort_keys=True, ensure_ascii=False)
        )
    assert ", " in stored_payload(db, 1)
    assert eventlog.verify(engine=db, cutover_id="c1").ok


def test_a_changed_value_in_a_nested_payload_is_found(db):
    appended(db)
    set_payload(db, 2, '{"b":{"x":2.5,"y":[1,"é"]}}')
    _, audit = eventlog.history_verified(engine=db, cutover_id="c1")
    assert not audit.ok and audit.first_bad_seq == 2 and "modified" in audit.problem and audit.rows == 2
