"""Tamper evidence: a keyed chain and anchors outside the database catch deletion, truncation, a deleted
cutover, recomputation and forged rows, name the first bad row, and never crash the verifier."""

from __future__ import annotations

import hashlib
import json
import sqlite3

import pytest

from bot.cli import main
from storage import eventlog
from storage.eventlog import canonical_row
from tests.conftest import T0
from tests.support.bot import CommandBot

KEY = "audit-key-for-tests-0123456789"
IC = "U01AAAA"


@pytest.fixture
def logged(plan, roster, tmp_path, monkeypatch):
    """A SQLite log of two cutovers (the first aborted) written with the audit key; its path and URL."""
    monkeypatch.setenv("CUTOVER_AUDIT_KEY", KEY)
    path = tmp_path / "cutover.db"
    bot = CommandBot(plan, roster, f"sqlite:///{path}", T0)
    eventlog.use_chain_key(bot.services.ledger.db, KEY)
    bot.ok("schedule 2026-12-02 02:00", IC)
    bot.ok("abort moved to next week", IC)
    bot.ok("schedule 2026-12-09 02:00", IC)
    for i in range(6):
        bot.ok(f"note issue bridge check {i}", IC)
    bot.services.ledger.db.dispose()
    return path


def audit(path, capsys) -> tuple[int, str]:
    code = main(["audit", "verify", "--db", f"sqlite:///{path}"])
    return code, capsys.readouterr().out


def sql(path, statement: str, *args) -> list:
    with sqlite3.connect(path) as db:
        return db.execute(statement, args).fetchall()


def last_seq(path, cutover: str) -> int:
    return sql(path, "SELECT max(seq) FROM events WHERE cutover_id = ?", cutover)[0][0]


def test_an_untouched_log_verifies(logged, capsys):
    code, out = audit(logged, capsys)
    assert code == 0 and out.count("hash chain intact") == 2


def test_deleting_the_last_row_is_caught(logged, capsys):
    n = last_seq(logged, "nxop-region-switch-2")
    sql(logged, "DELETE FROM events WHERE cutover_id = ? AND seq = ?", "nxop-region-switch-2", n)
    code, out = audit(logged, capsys)
    assert code == 1
    assert f"nxop-region-switch-2: FAILED at row {n}: rows {n} to {n} are missing" in out


def test_truncating_the_log_is_caught_at_the_first_missing_row(logged, capsys):
    n = last_seq(logged, "nxop-region-switch-2")
    sql(logged, "DELETE FROM events WHERE cutover_id = ? AND seq > 2", "nxop-region-switch-2")
    code, out = audit(logged, capsys)
    assert code == 1 and f"FAILED at row 3: rows 3 to {n} are missing" in out


def test_deleting_a_whole_cutover_is_caught(logged, capsys):
    sql(logged, "DELETE FROM events WHERE cutover_id = ?", "nxop-region-switch-1")
    code, out = audit(logged, capsys)
    assert code == 1 and "nxop-region-switch-1: FAILED at row 1: the cutover has no rows" in out


def recompute(path, cutover: str, from_seq: int, key: bytes | None = None) -> None:
    """What an attacker with database access does: rewrite the hashes from a row on (plain sha256)."""
    rows = sql(
        path,
        "SELECT seq, at, actor, kind, payload, hash FROM events WHERE cutover_id = ? ORDER BY seq",
        cutover,
    )
    prev = "0" * 64
    for seq, at, actor, kind, payload, digest in rows:
        if seq >= from_seq:
            at_iso = eventlog._moment(at).isoformat()
            digest = eventlog.chain_hash(prev, canonical_row(cutover, seq, at_iso, actor, kind, payload), key)
            sql(
                path,
                "UPDATE events SET prev_hash = ?, hash = ? WHERE cutover_id = ? AND seq = ?",
                prev,
                digest,
                cutover,
                seq,
            )
        prev = digest


def test_editing_a_row_and_recomputing_the_chain_is_caught_at_that_row(logged, capsys):
    cutover = "nxop-region-switch-2"
    sql(
        logged,
        "UPDATE events SET payload = ? WHERE cutover_id = ? AND seq = 5",
        json.dumps({"category": "issue", "text": "all fine"}, separators=(",", ":")),
        cutover,
    )
    recompute(logged, cutover, 5)
    code, out = audit(logged, capsys)
    assert code == 1 and f"{cutover}: FAILED at row 5:" in out and "not signed with the audit key" in out


def test_recomputing_even_with_the_key_is_caught_by_the_anchors(logged, capsys):
    cutover = "nxop-region-switch-2"
    sql(logged, "UPDATE events SET actor = 'U03AAAA' WHERE cutover_id = ? AND seq = 4", cutover)
    recompute(logged, cutover, 4, KEY.encode())
    code, out = audit(logged, capsys)
    assert code == 1 and "FAILED at row 4: row 4 (note.added) differs from its anchor" in out


def test_a_forged_append_with_a_valid_plain_hash_is_caught(logged, capsys):
    cutover = "nxop-region-switch-2"
    n = last_seq(logged, cutover)
    prev, at = sql(logged, "SELECT hash, at FROM events WHERE cutover_id = ? AND seq = ?", cutover, n)[0]
    payload = json.dumps(
        {"gate": 5, "role": "management", "reason": "", "complete": True}, separators=(",", ":")
    )
    at_iso = eventlog._moment(at).isoformat()
    digest = hashlib.sha256(
        (prev + canonical_row(cutover, n + 1, at_iso, IC, "gate.approved", payload)).encode()
    ).hexdigest()
    sql(
        logged,
        "INSERT INTO events (cutover_id, seq, at, actor, kind, payload, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?)",
        cutover,
        n + 1,
        at,
        IC,
        "gate.approved",
        payload,
        prev,
        digest,
    )
    code, out = audit(logged, capsys)
    assert (
        code == 1
        and f"FAILED at row {n + 1}: row {n + 1} (gate.approved) is not signed with the audit key" in out
    )


def test_a_forged_append_without_a_key_is_caught_by_the_anchors(plan, roster, tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("CUTOVER_AUDIT_KEY", raising=False)
    path = tmp_path / "plain.db"
    bot = CommandBot(plan, roster, f"sqlite:///{path}", T0)
    bot.ok("schedule 2026-12-02 02:00", IC)
    bot.services.ledger.db.dispose()
    cutover = "nxop-region-switch-1"
    prev, at = sql(path, "SELECT hash, at FROM events WHERE cutover_id = ? AND seq = 2", cutover)[0]
    payload = json.dumps({"category": "issue", "text": "forged"}, separators=(",", ":"))
    at_iso = eventlog._moment(at).isoformat()
    digest = hashlib.sha256(
        (prev + canonical_row(cutover, 3, at_iso, IC, "note.added", payload)).encode()
    ).hexdigest()
    sql(
        path,
        "INSERT INTO events (cutover_id, seq, at, actor, kind, payload, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?)",
        cutover,
        3,
        at,
        IC,
        "note.added",
        payload,
        prev,
        digest,
    )
    code, out = audit(path, capsys)
    assert code == 1 and "FAILED at row 3: row 3 and after were never anchored" in out


@pytest.mark.parametrize(
    "column, value",
    [
        ("kind", "step.done"),
        ("kind", "no.such.kind"),
        ("payload", "[1, 2]"),
        ("payload", "{"),
        ("at", "yesterday"),
        ("seq", "x"),
        ("prev_hash", "f" * 64),
    ],
)
def test_a_malformed_row_is_named_never_a_crash(logged, capsys, column, value):
    cutover = "nxop-region-switch-2"
    sql(logged, f"UPDATE events SET {column} = ? WHERE cutover_id = ? AND seq = 4", value, cutover)  # noqa: S608
    code, out = audit(logged, capsys)
    assert code == 1 and f"{cutover}: FAILED at row 4" in out and "Traceback" not in out


def test_a_log_begun_without_the_key_keeps_verifying_and_continues_keyed(
    plan, roster, tmp_path, capsys, monkeypatch
):
    path = tmp_path / "old.db"
    bot = CommandBot(plan, roster, f"sqlite:///{path}", T0)
    bot.ok("schedule 2026-12-02 02:00", IC)  # written before the key was set: plain sha256
    eventlog.use_chain_key(bot.services.ledger.db, KEY)
    bot.ok("note issue after the key", IC)
    bot.services.ledger.db.dispose()
    monkeypatch.setenv("CUTOVER_AUDIT_KEY", KEY)
    code, out = audit(path, capsys)
    assert code == 0 and "OK, 3 events" in out
