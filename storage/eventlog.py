"""The event log: hash-chained, append-only, with optimistic concurrency on (cutover_id, seq).

Each row's hash is HMAC-SHA256(audit key, previous hash + canonical JSON of the row) when the settings
give an audit key (CUTOVER_AUDIT_KEY), else sha256 of the same text; so a changed, inserted or deleted
row breaks the chain at the first place it touches, and without the key nobody can recompute the chain
after an edit or forge a row that verifies. A log begun before the key was set keeps verifying: its
unkeyed rows are accepted up to the first keyed row, never after it. Each append's new head is also
written outside the database (`storage/anchors.py`); `verify` checks the rows against those anchors,
which catches a deleted tail, a truncated log and a deleted cutover, and names the first bad row. Payloads are
stored in the canonical form they are hashed in, so verifying assembles each row's text around the
stored payload without re-encoding it (older rows, stored with spaces, are re-encoded as before).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from sys import intern
from typing import Any

from sqlalchemy import text as sa_text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session, col, select

from cutover.events import Event, Recorded, event_from, kind_of
from storage.anchors import Anchored, anchor_file_for
from storage.db import read_rows
from storage.models import CutoverClaim, EventRow, RequestKey, utc

GENESIS = "0" * 64
_CHAIN_KEYS: weakref.WeakKeyDictionary[Engine, bytes] = weakref.WeakKeyDictionary()


def use_chain_key(engine: Engine, secret: str | None) -> None:
    """Sign this database's chain with the audit key (CUTOVER_AUDIT_KEY): appends and verifications
    over the engine use it from now on. Wired where an engine is made from the settings."""
    if secret:
        _CHAIN_KEYS[engine] = secret.encode("utf-8")


def chain_key_of(engine: Engine) -> bytes | None:
    """The audit key this database's chain is signed with (None: plain sha256)."""
    return _CHAIN_KEYS.get(engine)


class Conflict(Exception):
    """Someone else appended first: re-read the state and decide again."""


class AlreadyApplied(Exception):
    """This request key was applied before (a retry): do nothing again."""

    def __init__(self, key: str, seq: int) -> None:
        super().__init__(f"request {key} already applied at seq {seq}")
        self.key, self.seq = key, seq


@dataclass(frozen=True)
class Pending:
    """An event waiting to be appended, with its author and time."""

    actor: str
    at: datetime
    event: Event


def canonical(cutover_id: str, seq: int, at: datetime, actor: str, kind: str, payload: dict) -> str:
    """The text that is hashed: the row's content in one stable JSON form (compact, sorted keys, UTF-8)."""
    return canonical_row(cutover_id, seq, utc(at).isoformat(), actor, kind, payload_text(payload))


def payload_text(payload: dict) -> str:
    """A payload in the canonical JSON form: the text stored, and hashed as it is inside its row."""
    return _CANONICAL.encode(payload)


def canonical_row(cutover_id: str, seq: int, at_iso: str, actor: str, kind: str, payload_json: str) -> str:
    """`canonical` assembled around a payload already in canonical form (no JSON re-encoding): the same
    text as json.dumps of the row with sorted keys and compact separators."""
    return (
        '{"actor":'
        + _string(actor)
        + ',"at":'
        + _string(at_iso)
        + ',"cutover_id":'
        + _string(cutover_id)
        + ',"kind":'
        + _string(kind)
        + ',"payload":'
        + payload_json
        + ',"seq":'
        + str(seq)
        + "}"
    )


# the canonical JSON form with one reusable encoder (json.dumps builds a new one per call with these options),
# and the string encoder it uses with ensure_ascii=False
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)
_string = json.encoder.encode_basestring


def chain_hash(prev_hash: str, text: str, chain_key: bytes | None = None) -> str:
    """HMAC-SHA256 with the audit key (sha256 without one) of the previous hash followed by the canonical row."""
    data = (prev_hash + text).encode("utf-8")
    if chain_key:
        return hmac.new(chain_key, data, hashlib.sha256).hexdigest()
    return hashlib.sha256(data).hexdigest()


def append(
    *,
    engine: Engine,
    cutover_id: str,
    batch: Sequence[Pending],
    expected_seq: int,
    key: str | None = None,
    chain_key: bytes | None = None,
    follows: str | None = None,
) -> list[Recorded]:
    """Append a batch after `expected_seq` in one transaction; Conflict if another append came first.

    `follows` (a new cutover: the cutover it follows, '' for the first) claims the succession in the
    same transaction: when another cutover already follows that one (made meanwhile by another
    replica), Conflict. The new head is then written to the anchor file (SQLite)."""
    chain_key = chain_key or chain_key_of(engine)
    with Session(engine) as session:
        if key is not None:
            done = session.get(RequestKey, key)
            if done is not None:
                raise AlreadyApplied(key, done.seq)
        last = session.exec(
            select(EventRow)
            .where(EventRow.cutover_id == cutover_id)
            .order_by(col(EventRow.seq).desc())
            .limit(1)
        ).first()
        last_seq = last.seq if last else 0
        if last_seq != expected_seq:
            raise Conflict(f"{cutover_id}: expected seq {expected_seq}, the log is at {last_seq}")
        prev = last.hash if last else GENESIS
        if follows is not None:  # flushed with the rows at commit: a second successor fails it
            session.add(CutoverClaim(cutover_id=cutover_id, follows=follows))
        recorded: list[Recorded] = []
        for offset, pending in enumerate(batch, start=1):
            seq = expected_seq + offset
            stored = payload_text(pending.event.payload())  # stored as hashed: verifying needs no re-encoding
            kind = kind_of(pending.event)
            at = utc(pending.at)
            digest = chain_hash(
                prev, canonical_row(cutover_id, seq, at.isoformat(), pending.actor, kind, stored), chain_key
            )
            session.add(
                EventRow(
                    cutover_id=cutover_id,
                    seq=seq,
                    at=at,
                    actor=pending.actor,
                    kind=kind,
                    payload=stored,
                    prev_hash=prev,
                    hash=digest,
                )
            )
            recorded.append(Recorded(seq=seq, at=at, actor=pending.actor, event=pending.event))
            prev = digest
        if key is not None and recorded:
            session.add(
                RequestKey(key=key, cutover_id=cutover_id, seq=recorded[-1].seq, at=utc(batch[-1].at))
            )
        try:
            session.commit()
        except IntegrityError as exc:
            session.rollback()
            done = session.get(RequestKey, key) if key is not None else None
            if key is not None and done is not None:
                raise AlreadyApplied(key, done.seq) from None
            raise Conflict(f"{cutover_id}: another append took seq {expected_seq + 1}") from exc
        except OperationalError as exc:  # SQLite: another writer held the lock past the timeout
            session.rollback()
            raise Conflict(f"{cutover_id}: the log was busy") from exc
    anchors = anchor_file_for(engine)
    if anchors is not None and recorded:
        anchors.append(cutover_id, recorded[-1].seq, prev)
    return recorded


def history(*, engine: Engine, cutover_id: str, after_seq: int = 0) -> list[Recorded]:
    """The cutover's events after `after_seq`, in order (plain rows: this runs before every decision)."""
    return [_recorded(*row) for row in read_rows(engine, _HISTORY, (cutover_id, after_seq))]


def cutover_ids(*, engine: Engine) -> list[str]:
    """Every cutover in the log, oldest first (the first event of each, found through the seq index)."""
    return [row[0] for row in read_rows(engine, _FIRST_EVENTS, ())]


def cutovers_and_news(
    *, engine: Engine, cutover_id: str, after_seq: int, keys_after: int
) -> tuple[list[str], list[Recorded], list[str]]:
    """`cutover_ids`, `history(cutover_id, after_seq)` and the cutover's request keys applied after
    `keys_after`, in one read: the ledger's check before each decision."""
    rows = read_rows(engine, _CUTOVERS_AND_NEWS, (cutover_id, after_seq, cutover_id, keys_after))
    firsts = sorted((row_id, cid) for part, row_id, cid, *_ in rows if part == 1)
    news = sorted(
        (seq, at, actor, kind, payload) for part, _, _, seq, at, actor, kind, payload in rows if part == 0
    )
    return (
        [cid for _, cid in firsts],
        [_recorded(*row) for row in news],
        [row[2] for row in rows if row[0] == 2],
    )


def _recorded(seq: int, at: datetime | str, actor: str, kind: str, payload: str) -> Recorded:
    """An event from a plain row (seq, at, actor, kind, payload)."""
    return Recorded(seq=seq, at=_moment(at), actor=actor, event=event_from(kind, json.loads(payload)))


def chain_head(*, engine: Engine, cutover_id: str) -> tuple[int, str]:
    """The cutover's last seq and hash (0 and the genesis hash before its first event): what is anchored."""
    rows = read_rows(engine, _HEAD, (cutover_id,))
    return (int(rows[0][0]), str(rows[0][1])) if rows else (0, GENESIS)


def was_applied(*, engine: Engine, key: str) -> bool:
    """Whether a request key was already applied."""
    return bool(read_rows(engine, _KEY, (key,)))


_HISTORY = "SELECT seq, at, actor, kind, payload FROM events WHERE cutover_id = ? AND seq > ? ORDER BY seq"
_FIRST_EVENTS = "SELECT cutover_id FROM events WHERE seq = 1 ORDER BY id"
_CUTOVERS_AND_NEWS = (
    "SELECT 0, id, cutover_id, seq, at, actor, kind, payload FROM events "
    "WHERE cutover_id = ? AND seq > ? "
    "UNION ALL SELECT 1, id, cutover_id, NULL, NULL, NULL, NULL, NULL FROM events WHERE seq = 1 "
    "UNION ALL SELECT 2, NULL, key, seq, NULL, NULL, NULL, NULL FROM request_keys "
    "WHERE cutover_id = ? AND seq > ?"
)
_KEY = "SELECT 1 FROM request_keys WHERE key = ?"
_HEAD = "SELECT seq, hash FROM events WHERE cutover_id = ? ORDER BY seq DESC LIMIT 1"


def _moment(value: datetime | str) -> datetime:
    """A stored time as aware UTC (SQLite hands back text, PostgreSQL a datetime)."""
    return utc(value if isinstance(value, datetime) else datetime.fromisoformat(value))


@dataclass(frozen=True)
class AuditResult:
    """The outcome of verifying one cutover's hash chain. `problem` is a code and `data` its facts;
    templates/cli/_audit_problem.j2 words them (`row_modified`, seq 7, kind step.done:
    "row 7 (step.done) was modified after it was written")."""

    cutover_id: str
    ok: bool
    rows: int
    first_bad_seq: int | None = None
    problem: str = ""
    data: dict[str, Any] = field(default_factory=dict)


def verify(
    *, engine: Engine, cutover_id: str, chain_key: bytes | None = None, anchored: Anchored | None = None
) -> AuditResult:
    """Walk the chain and compare it with its anchors; report the first modified, inserted, deleted,
    forged or unreadable row."""
    return history_verified(engine=engine, cutover_id=cutover_id, chain_key=chain_key, anchored=anchored)[1]


def read_anchors(engine: Engine) -> Anchored | None:
    """What the anchor file beside the database saw (None when there is no file to compare with)."""
    anchors = anchor_file_for(engine)
    return anchors.read() if anchors is not None and anchors.path.exists() else None


def audited_cutover_ids(*, engine: Engine, anchored: Anchored | None) -> list[str]:
    """Every cutover in the log, and every cutover the anchors saw (a deleted one is still audited)."""
    ids = cutover_ids(engine=engine)
    return ids + sorted(set(anchored.heads) - set(ids)) if anchored else ids


def history_verified(
    *,
    engine: Engine,
    cutover_id: str,
    chain_key: bytes | None = None,
    anchored: Anchored | None = None,
) -> tuple[list[Recorded], AuditResult]:
    """The cutover's events and its hash-chain verification from one read of plain rows (the report's path).

    Same results as `history` + `verify`, at a fraction of the cost on long logs: the rows are read as
    tuples (no ORM objects), each payload is parsed once (for the event), and a row's hashed text is
    assembled around its stored payload text (stored in canonical form: no JSON re-encoding). A row that
    cannot be read (an edited kind, time or payload) is a problem named by its seq, never an exception.
    `anchored` defaults to the anchor file beside the database, when there is one.
    """
    # plain SQL: the columns come back as the driver gives them (SQLite: `at` as text, parsed below in C);
    # the rows are consumed as they are fetched, never all held at once next to the events built from them
    query = sa_text(
        "SELECT seq, at, actor, kind, payload, prev_hash, hash FROM events "
        "WHERE cutover_id = :cutover_id ORDER BY seq"
    )
    chain_key = chain_key or chain_key_of(engine)
    if anchored is None:
        anchored = read_anchors(engine)
    heads = anchored.heads.get(cutover_id, {}) if anchored else {}
    events: list[Recorded] = []
    append_event = events.append
    audit: AuditResult | None = None
    prev, expected_seq, count, keyed_seen = GENESIS, 1, 0, False
    with engine.connect() as connection:
        for row in connection.execute(query, {"cutover_id": cutover_id}):
            count += 1
            seq, at, actor, kind, text, _, digest = row
            try:
                at, actor, kind = _moment(at), intern(actor), intern(kind)  # a few names, each held once
                payload = _parsed(text)
                event = event_from(kind, payload) if isinstance(payload, dict) else None
            except Exception:  # noqa: BLE001 - an edited row: named below, never raised
                payload = event = None
            if audit is None:
                found = _row_problem(
                    cutover_id,
                    expected_seq,
                    prev,
                    (seq, at, actor, kind, text, row[5], digest),
                    payload,
                    event,
                )
                checked = (
                    found
                    if isinstance(found, AuditResult)
                    else _key_problem(found, chain_key, keyed_seen, row)
                )
                if isinstance(checked, AuditResult):
                    audit = checked
                else:
                    keyed_seen = keyed_seen or checked
                    if heads.get(seq, digest) != digest:
                        audit = AuditResult(
                            cutover_id,
                            False,
                            0,
                            seq,
                            "row_differs_from_anchor",
                            {"seq": seq, "kind": kind, "origin": _origin(anchored, cutover_id, seq)},
                        )
                prev, expected_seq = digest, expected_seq + 1
            if event is not None:
                append_event(Recorded(seq=seq, at=at, actor=actor, event=event))
    if audit is None and heads:
        audit = _anchor_problem(cutover_id, heads, count, anchored)
    return events, replace(audit, rows=count) if audit else AuditResult(cutover_id, True, count)


@dataclass(frozen=True)
class _Hashes:
    """The texts a row's hash may have been computed over (as stored; re-encoded for older rows)."""

    cutover_id: str
    seq: int
    kind: str
    prev: str
    digest: str
    texts: tuple[str, ...]


def _row_problem(
    cutover_id: str, expected_seq: int, prev: str, row: tuple, payload: object, event: Event | None
) -> AuditResult | _Hashes:
    """The first structural problem of one row (as `verify` words it; `rows` counted by the caller), or
    what its hash must match."""
    seq, at, actor, kind, text, prev_hash, digest = row

    def bad(at_seq: int, problem: str, **data: Any) -> AuditResult:
        return AuditResult(cutover_id, False, 0, at_seq, problem, data)

    if not isinstance(seq, int) or seq != expected_seq:
        if isinstance(seq, int) and seq > expected_seq:
            return bad(expected_seq, "row_missing", seq=expected_seq, next=seq)
        return bad(expected_seq, "row_twice", seq=seq)
    if prev_hash != prev:
        return bad(seq, "row_out_of_chain", seq=seq, previous=seq - 1)
    if (
        event is None
        or not isinstance(payload, dict)
        or not isinstance(at, datetime)
        or not isinstance(text, str)
        or not isinstance(digest, str)
    ):
        return bad(seq, "row_unreadable", seq=seq)
    at_iso = at.isoformat()
    texts = tuple(
        canonical_row(cutover_id, seq, at_iso, actor, kind, t) for t in (text, payload_text(payload))
    )
    return _Hashes(cutover_id, seq, kind, prev, digest, texts)


def _key_problem(h: _Hashes, chain_key: bytes | None, keyed_seen: bool, row: Sequence) -> AuditResult | bool:
    """Whether the row's hash is keyed (True) or plain (False, refused after a keyed row), or its problem."""
    if chain_key and any(hmac.compare_digest(chain_hash(h.prev, t, chain_key), h.digest) for t in h.texts):
        return True
    if any(chain_hash(h.prev, t) == h.digest for t in h.texts):
        if chain_key and keyed_seen:  # plain after keyed: written by someone without the key
            return AuditResult(
                h.cutover_id,
                False,
                0,
                h.seq,
                "row_not_signed",
                {"seq": h.seq, "kind": h.kind},
            )
        return False
    return AuditResult(h.cutover_id, False, 0, h.seq, "row_modified", {"seq": h.seq, "kind": h.kind})


def _origin(anchored: Anchored | None, cutover_id: str, seq: int) -> str:
    """Where the anchor was seen, for an anchor outside the anchor file; '' for the file's."""
    return (anchored.origin(cutover_id, seq) if anchored else "") or ""


def _anchor_problem(
    cutover_id: str, heads: dict[int, str], count: int, anchored: Anchored | None = None
) -> AuditResult | None:
    """Rows the anchors saw that the log no longer has, or rows written after the last anchor."""
    last = max(heads)
    origin = _origin(anchored, cutover_id, last)
    if count == 0:
        return AuditResult(cutover_id, False, 0, 1, "rows_deleted", {"last": last, "origin": origin})
    if count < last:
        return AuditResult(
            cutover_id,
            False,
            0,
            count + 1,
            "rows_truncated",
            {"first": count + 1, "last": last, "origin": origin},
        )
    if anchored is not None and anchored.origin(cutover_id, last) and count > last:
        return None  # anchors outside the database are taken now and then: later rows are not suspect
    if count > last:
        return AuditResult(
            cutover_id,
            False,
            0,
            last + 1,
            "rows_unanchored",
            {"first": last + 1},
        )
    return None


def _parsed(text: str) -> dict | None:
    """json.loads(text), or None when the text is not JSON (decoded directly first: stored payloads have no
    whitespace around them, and json.loads's own whitespace checks cost a tenth of a long log's reading)."""
    try:
        payload, end = _RAW_DECODE(text)
        if end == len(text):
            return payload
    except ValueError:
        pass
    try:
        return json.loads(text)
    except ValueError:
        return None


_RAW_DECODE = json.JSONDecoder().raw_decode


def latest_of_kind(*, engine: Engine, cutover_id: str, kind: str) -> Recorded | None:
    """The cutover's latest event of one kind (e.g. where the last report went), without reading the rest."""
    with Session(engine) as session:
        row = session.exec(
            select(EventRow)
            .where(EventRow.cutover_id == cutover_id, EventRow.kind == kind)
            .order_by(col(EventRow.seq).desc())
            .limit(1)
        ).first()
        if row is None:
            return None
        return Recorded(
            seq=row.seq, at=utc(row.at), actor=row.actor, event=event_from(row.kind, json.loads(row.payload))
        )
