"""The read coalescer: requests of the same few milliseconds share one read of the live cutover.

A server lets the requests of the same few milliseconds share one read (`serve`: CUTOVER_SHARED_READ_MS,
20 ms): under a burst of requests every read costs a thread switch, which costs more than the rest of
the answer. When the read is older, one request reads while the others go on with the cached state
(so the bound is the window plus one read).

Within one process nothing is lost by it: this process's appends update the ledger's cache before they
are answered (an append to another cutover than the live one ends the sharing), so a request sees every
command answered before it came. Another process's appends may be up to that old: an append decided on
such a state still meets the unique (cutover_id, seq) and the unique request key (a Conflict is decided
again on a fresh read), so nothing is applied twice, but a refusal or a status may lag that much. With
several replicas over one database, set it to 0 (the ledger then has no coalescer).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

NEVER = float("-inf")


class ReadCoalescer:
    """Decides, per request, whether the cached live state serves or this request reads the log."""

    def __init__(self, window: float, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.window, self.monotonic = window, monotonic
        self._read_at = NEVER  # when the live cutover was last read (monotonic seconds)
        self._lock = threading.Lock()

    def claim(self, ended: bool) -> float | None:
        """None: the cached state serves (read a moment ago, or being read now, by another request).

        Otherwise this request reads, and others share it meanwhile; the value is the time of the
        previous read, for `release`.
        """
        now = self.monotonic()
        with self._lock:
            before = self._read_at
            if now - before < self.window and not ended:
                return None
            self._read_at = now
            return before

    def release(self, before: float) -> None:
        """The claimed read failed: the next request reads again."""
        self._read_at = before

    def end(self) -> None:
        """The live cutover ended, or another cutover changed: the next request reads."""
        self._read_at = NEVER
