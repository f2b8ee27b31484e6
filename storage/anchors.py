"""Anchors of the hash chain outside the database: an append-only file of chain heads beside a SQLite log.

After each append the new head (`cutover_id`, `seq`, `hash`) is added as one JSON line to
`<database file>-anchors.jsonl`. Whoever edits the database alone cannot undo what the file saw:
`eventlog.history_verified` compares every anchored row with the file, so a deleted tail, a truncated
log, a deleted cutover or a recomputed chain is named at its first row. (The file is opened for
appending only; protect it further with `chattr +a` or ship it off the host.) A PostgreSQL log has no
file beside it: its heads go out with the status posts (Slack metadata) and to S3 with the report and
the baselines (bot/integrity/anchors.py); `cutover-bot audit verify` reads them back and merges them
here, each with its origin, so a failure names the anchor that disagrees.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from sqlalchemy.engine import Engine

SUFFIX = "-anchors.jsonl"


@dataclass
class Anchored:
    """What the anchors saw: per cutover, seq -> hash, and where each was seen ('': the anchor file);
    lines of the anchor file it could not read; anchors that disagree with another anchor of a row."""

    heads: dict[str, dict[int, str]] = field(default_factory=dict)
    unreadable: list[int] = field(default_factory=list)  # line numbers
    origins: dict[str, dict[int, str]] = field(default_factory=dict)
    disputes: list[str] = field(default_factory=list)

    def last(self, cutover_id: str) -> int:
        """The highest anchored seq of a cutover (0: none)."""
        return max(self.heads.get(cutover_id, {0: ""}))

    def origin(self, cutover_id: str, seq: int) -> str:
        """Where the anchor of a row was seen ('' for the anchor file beside the database)."""
        return self.origins.get(cutover_id, {}).get(seq, "")

    def add(self, cutover_id: str, seq: int, digest: str, origin: str = "") -> None:
        """One anchor; a second one of the same row with another hash is a dispute (one of them lies)."""
        seen = self.heads.setdefault(cutover_id, {})
        if seen.get(seq, digest) != digest:
            first = self.origin(cutover_id, seq) or "the anchor file"
            self.disputes.append(
                f"{cutover_id}: the anchors of row {seq} disagree: {first} and {origin or 'the anchor file'}"
            )
            return
        seen[seq] = digest
        self.origins.setdefault(cutover_id, {}).setdefault(seq, origin)

    def merge(self, other: Anchored) -> Anchored:
        """These anchors and another source's (disputes and unreadable lines kept); returns self."""
        for cutover_id, heads in other.heads.items():
            for seq, digest in sorted(heads.items()):
                self.add(cutover_id, seq, digest, other.origin(cutover_id, seq))
        self.unreadable.extend(other.unreadable)
        self.disputes.extend(other.disputes)
        return self


class AnchorFile:
    """One append-only file of chain heads; appends from several threads are serialised."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def append(self, cutover_id: str, seq: int, digest: str) -> None:
        """Add one chain head (flushed at once; the line is written whole with O_APPEND)."""
        line = json.dumps({"cutover_id": cutover_id, "seq": seq, "hash": digest}, separators=(",", ":"))
        with self._lock:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
            try:
                os.write(fd, (line + "\n").encode("utf-8"))
            finally:
                os.close(fd)

    def read(self) -> Anchored:
        """Every head in the file; a line that is not an anchor is listed, never raised."""
        anchored = Anchored()
        if not self.path.exists():
            return anchored
        with self.path.open("rb") as handle:
            for number, raw in enumerate(handle, start=1):
                try:
                    item = json.loads(raw)
                    cutover_id, seq, digest = str(item["cutover_id"]), int(item["seq"]), str(item["hash"])
                except (ValueError, KeyError, TypeError, RecursionError):
                    anchored.unreadable.append(number)
                    continue
                anchored.heads.setdefault(cutover_id, {})[seq] = digest  # the file's last word on a row
        return anchored


@lru_cache(maxsize=32)
def _file_for(database: str) -> AnchorFile:
    return AnchorFile(Path(database + SUFFIX))


def anchor_file_for(engine: Engine) -> AnchorFile | None:
    """The anchor file beside a SQLite database file (None in memory and for other databases)."""
    url = engine.url
    if not url.drivername.startswith("sqlite"):
        return None
    database = url.database or ""
    if not database or database == ":memory:" or url.query.get("mode") == "memory":
        return None
    return _file_for(os.path.abspath(database))
