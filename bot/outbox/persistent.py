"""The persistent outbox: every message is a row first, then delivered with retries.

`PersistentOutbox` implements `commands.context.Outbox` as a queue over the database: `enqueue` only
writes a row (idempotent by key), so a command never waits for Slack or SES; `batch()` queues many
calls in one transaction. Delivery is the `Deliverer`'s (bot/outbox/deliverer.py: passes, pacing,
retries, the background thread), each call through its transport (bot/outbox/transports.py: Slack,
SES). With `workers` > 1 calls of different order keys go concurrently (never two of one key).
Without a running deliverer thread and with `inline_without_thread`, `enqueue` delivers at once
(a server started without workers).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

from sqlalchemy.engine import Engine as DbEngine

from bot.outbox.deliverer import Deliverer
from bot.outbox.transports import Transports
from commands.context import Clock
from storage import outbox as store


class PersistentOutbox:
    """An outbox over the database: rows survive restarts; delivery retries until it succeeds."""

    def __init__(
        self,
        db: DbEngine,
        clock: Clock,
        transports: Transports,
        *,
        poll_seconds: float = 1.0,
        inline_without_thread: bool = False,
        workers: int = 1,
        templates_dir: str | None = None,
    ) -> None:
        self.db, self.clock, self.transports = db, clock, transports
        self.inline_without_thread = inline_without_thread  # no deliverer thread running: deliver in enqueue
        self._writes = threading.Lock()  # one writer at a time in-process: no SQLite busy-wait sleeps
        self._local = threading.local()
        self.deliverer = Deliverer(
            db,
            clock,
            transports,
            writes=self._writes,
            notify=lambda call: self.enqueue(**call),
            poll_seconds=poll_seconds,
            workers=workers,
            templates_dir=templates_dir,
        )
        store.create_tables(engine=db)

    # -- the Outbox protocol ---------------------------------------------------------------

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Queue every call enqueued inside in one transaction at the end (many DMs at once)."""
        if getattr(self._local, "calls", None) is not None:
            yield
            return
        self._local.calls = []
        try:
            yield
            calls = self._local.calls
        finally:
            self._local.calls = None
        with self._writes:
            store.enqueue_many(engine=self.db, calls=calls, now=self.clock.now())
        self._queued()

    def enqueue(
        self, *, method: str, args: dict[str, Any], key: str, order: str = "", save_ts_as: str | None = None
    ) -> None:
        """Queue one call (a no-op when the key was queued before) and wake the deliverer."""
        buffered = getattr(self._local, "calls", None)
        if buffered is not None:
            buffered.append(
                {"method": method, "args": args, "key": key, "order": order, "save_ts_as": save_ts_as}
            )
            return
        with self._writes:
            store.enqueue(
                engine=self.db,
                key=key,
                order_key=order,
                method=method,
                args=args,
                save_ts_as=save_ts_as,
                now=self.clock.now(),
            )
        self._queued()

    def ts(self, name: str) -> str | None:
        """A saved message timestamp (or DM channel id)."""
        return store.saved_value(engine=self.db, name=name)

    def drain(self) -> int:
        """Deliver everything due now, in order per order key; return how many calls were delivered."""
        return self.deliverer.drain()

    def pending(self) -> int:
        """How many calls wait for delivery."""
        return store.count(engine=self.db, status=store.PENDING)

    # -- the background deliverer for `serve` ----------------------------------------------

    def start(self) -> None:
        """Deliver in a background thread until `stop()`."""
        self.deliverer.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the background deliverer (rows still pending stay queued for the next start)."""
        self.deliverer.stop(timeout)

    def _queued(self) -> None:
        if not self.deliverer.running and self.inline_without_thread:
            self.deliverer.drain()
        self.deliverer.wake()
