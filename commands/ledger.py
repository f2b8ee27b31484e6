"""The ledger: cutover states kept in memory, refreshed from the log, and appends through it.

Before each decision the ledger reads the events appended since its cached state (one cheap query,
which also brings the request keys applied with them), and the unique (cutover_id, seq) turns a race
into a Conflict that the caller retries on a fresh read. Given a `ReadCoalescer` (commands/coalescer.py;
`share_reads_for` > 0), requests of the same few milliseconds share one read of the live cutover.
"""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Callable, Sequence

from sqlalchemy.engine import Engine as DbEngine

from commands.coalescer import ReadCoalescer
from cutover.events import Recorded
from cutover.state import CutoverState, apply
from storage import eventlog
from storage.eventlog import AlreadyApplied, Conflict, Pending

ATTEMPTS = 20


class Ledger:
    """States of every cutover in one database, folded incrementally from the log."""

    def __init__(
        self,
        db: DbEngine,
        runbook_id: str,
        *,
        share_reads_for: float = 0.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.db = db
        self.runbook_id = runbook_id
        self.shared = ReadCoalescer(share_reads_for, monotonic) if share_reads_for else None
        self._states: dict[str, CutoverState] = {}
        self._keys: dict[
            str, set[str]
        ] = {}  # request keys applied, per cutover, as far as read (and appended here)
        self._keys_seq: dict[str, int] = {}  # the seq up to which a cutover's keys were read
        self._live: str | None = None  # the cutover `current()` returned last, while it had not ended
        self._lock = threading.Lock()

    def state(self, cutover_id: str) -> CutoverState:
        """The state of a cutover, brought up to date with the log (seq 0 when it does not exist).

        Copy-on-write: new events are applied to a copy that then replaces the cached state, so a
        state handed out is never changed afterwards. Callers must treat it as read-only.
        """
        cached = self._states.get(cutover_id) or CutoverState(cutover_id=cutover_id)
        fresh = eventlog.history(engine=self.db, cutover_id=cutover_id, after_seq=cached.seq)
        return self._applied(cached, fresh)

    def _applied(self, read_from: CutoverState, fresh: list[Recorded]) -> CutoverState:
        """The newest of the cache and `read_from` + the events read after it; cached.

        The log is read without the lock (many requests read at once); here, under the lock, a
        state that another thread brought further meanwhile wins, and only newer events are applied.
        """
        if not fresh and self._states.get(read_from.cutover_id) is read_from:
            return read_from  # nothing new: the usual case, no lock needed
        with self._lock:
            cached = self._states.get(read_from.cutover_id)
            base = cached if cached is not None and cached.seq >= read_from.seq else read_from
            news = [r for r in fresh if r.seq > base.seq]
            if news:
                base = _copy(base)
                for recorded in news:
                    apply(base, recorded)
            self._states[base.cutover_id] = base
            return base

    def ids(self) -> list[str]:
        """Every cutover id, oldest first."""
        return eventlog.cutover_ids(engine=self.db)

    def current(self, key: str | None = None, *, fresh: bool = False) -> CutoverState | None:
        """The newest cutover that has not ended, or else the newest one; None before the first.

        With a request key: AlreadyApplied when that request was applied before (a retry). `fresh`:
        read the log now even when a read was just shared (after a Conflict).
        """
        state = self._live_state(fresh)
        if state is not None:
            if key and key in self._keys.get(state.cutover_id, ()):
                raise AlreadyApplied(key, state.seq)
            return state
        if key and eventlog.was_applied(engine=self.db, key=key):
            raise AlreadyApplied(key, 0)
        state = self._search()
        self._live = state.cutover_id if state is not None and not state.terminal else None
        return state

    def last_read(self) -> CutoverState | None:
        """The live cutover as last read, without reading the log (a log that cannot be read any more)."""
        return self._states.get(self._live) if self._live else None

    def _live_state(self, fresh: bool) -> CutoverState | None:
        """The fast path, one read: the live cutover of last time, if it is still live and still the newest.

        Unless `fresh`, the coalescer may serve the cached state (a read of a moment ago is shared).
        """
        cached = self._states.get(self._live) if self._live else None
        if cached is None:
            return None
        shared, before = self.shared if not fresh else None, None
        if shared is not None:
            before = shared.claim(cached.terminal)
            if before is None:
                return cached
        try:
            state = self._read_live(cached)
        except BaseException:
            if shared is not None and before is not None:
                shared.release(before)
            raise
        if state is None and self.shared is not None:
            self.shared.end()
        return state

    def _read_live(self, cached: CutoverState) -> CutoverState | None:
        """Read the live cutover's news and keys; None when it ended or a newer cutover exists."""
        cutover_id = cached.cutover_id
        ids, news, keys = eventlog.cutovers_and_news(
            engine=self.db,
            cutover_id=cutover_id,
            after_seq=cached.seq,
            keys_after=self._keys_seq.get(cutover_id, 0),
        )
        if cutover_id not in ids:
            return None
        state = self._applied(cached, news)
        with self._lock:
            self._keys.setdefault(cutover_id, set()).update(keys)
            covered = news[-1].seq if news else cached.seq
            self._keys_seq[cutover_id] = max(self._keys_seq.get(cutover_id, 0), covered)
        newer = ids[ids.index(cutover_id) + 1 :]
        if state.terminal or any(self._may_be_cutover(i) for i in newer):
            return None
        return state

    def _may_be_cutover(self, cutover_id: str) -> bool:
        """False only for a log known not to be a cutover (the log of drills)."""
        cached = self._states.get(cutover_id)
        return cached is None or cached.created_at is not None

    def _search(self) -> CutoverState | None:
        """Read the cutovers newest first until one has not ended."""
        newest: CutoverState | None = None
        for cutover_id in reversed(self.ids()):  # newest first: usually the first one is live
            cached = self._states.get(cutover_id)
            if cached is not None and cached.terminal and newest is not None:
                continue  # an ended cutover never runs again: no need to read its log
            state = self.state(cutover_id)
            if state.created_at is None:  # a log that is not a cutover (the log of drills)
                continue
            if not state.terminal:
                return state
            newest = newest or state
        return newest

    def new_id(self) -> str:
        """An id for a new cutover: the runbook id and a number."""
        prefix = f"{self.runbook_id}-"
        return f"{prefix}{sum(1 for i in self.ids() if i.startswith(prefix)) + 1}"

    def record(
        self,
        cutover_id: str,
        batch: Sequence[Pending],
        expected_seq: int,
        key: str | None = None,
        *,
        follows: str | None = None,
    ) -> tuple[CutoverState, list[Recorded]]:
        """Append a batch (Conflict / AlreadyApplied pass through) and return the new state; `follows`:
        a new cutover, made after that one ('' for the first; see `eventlog.append`)."""
        recorded = eventlog.append(
            engine=self.db,
            cutover_id=cutover_id,
            batch=batch,
            expected_seq=expected_seq,
            key=key,
            follows=follows,
        )
        with self._lock:
            if key is not None:
                self._keys.setdefault(cutover_id, set()).add(key)
        if cutover_id != self._live and self.shared is not None:
            self.shared.end()  # another cutover changed (a new one?): the next request reads
        return self.state(cutover_id), recorded

    def append(
        self, cutover_id: str, batch: Sequence[Pending], key: str | None = None
    ) -> tuple[CutoverState, list[Recorded]] | None:
        """Append after whatever the log holds now, re-reading on Conflict; None when the key was applied."""
        for _ in range(ATTEMPTS):
            state = self.state(cutover_id)
            try:
                return self.record(cutover_id, batch, state.seq, key)
            except Conflict:
                continue
            except AlreadyApplied:
                return None
        raise Conflict(f"{cutover_id}: too many concurrent appends ({ATTEMPTS} attempts)")


def _copy(state: CutoverState) -> CutoverState:
    """A deep copy, so that a state already handed out never changes."""
    return copy.deepcopy(state)
