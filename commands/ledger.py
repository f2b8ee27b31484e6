"""The ledger: cutover states kept in memory, refreshed from the log, and appends through it.

Several bot replicas may share one database: before each decision the ledger reads the events
appended since its cached state (a cheap query), so a replica never decides on stale state, and
the unique (cutover_id, seq) turns a race into a Conflict that the caller retries.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Sequence

from sqlalchemy.engine import Engine as DbEngine

from cutover.events import Recorded
from cutover.state import CutoverState, apply
from storage import eventlog
from storage.eventlog import AlreadyApplied, Conflict, Pending

ATTEMPTS = 20


class Ledger:
    """States of every cutover in one database, folded incrementally from the log."""

    def __init__(self, db: DbEngine, runbook_id: str) -> None:
        self.db = db
        self.runbook_id = runbook_id
        self._states: dict[str, CutoverState] = {}
        self._lock = threading.Lock()

    def state(self, cutover_id: str) -> CutoverState:
        """The state of a cutover, brought up to date with the log (seq 0 when it does not exist).

        Copy-on-write: new events are applied to a copy that then replaces the cached state, so a
        state handed out is never changed afterwards. Callers must treat it as read-only.
        """
        with self._lock:
            cached = self._states.get(cutover_id) or CutoverState(cutover_id=cutover_id)
            fresh = eventlog.history(engine=self.db, cutover_id=cutover_id, after_seq=cached.seq)
            if fresh:
                cached = _copy(cached)
                for recorded in fresh:
                    apply(cached, recorded)
            self._states[cutover_id] = cached
            return cached

    def ids(self) -> list[str]:
        """Every cutover id, oldest first."""
        return eventlog.cutover_ids(engine=self.db)

    def current(self) -> CutoverState | None:
        """The newest cutover that has not ended, or else the newest one; None before the first."""
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

    def record(self, cutover_id: str, batch: Sequence[Pending], expected_seq: int,
               key: str | None = None) -> tuple[CutoverState, list[Recorded]]:
        """Append a batch (Conflict / AlreadyApplied pass through) and return the new state."""
        recorded = eventlog.append(engine=self.db, cutover_id=cutover_id, batch=batch,
                                   expected_seq=expected_seq, key=key)
        return self.state(cutover_id), recorded


    def append(self, cutover_id: str, batch: Sequence[Pending],
               key: str | None = None) -> tuple[CutoverState, list[Recorded]] | None:
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
