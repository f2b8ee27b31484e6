"""Leader election: one replica runs the scheduler and the outbox deliverer, the holder of an advisory lock.

Every `serve` on PostgreSQL runs a `Leadership`. It keeps one dedicated connection (outside the pool,
so the session-level lock is never handed to another piece of code) and tries
`pg_try_advisory_lock(LEADER_LOCK)` every `check_every` seconds. The replica that gets it starts the
background workers (`on_elected`) and from then on checks, on the same connection, that its session
still holds the lock; when the check fails (the database restarted, dropped the session, or the
network did) it stops its workers at once and becomes a follower again.

When the leader dies its session ends: on the same host at once, across a network when PostgreSQL's
keepalives give up (set on the session: idle 5 s, then 3 probes 2 s apart), so a follower takes
over well within 15 s. A leader that stalls keeps its lock as long as its session lives; if the
session is dropped meanwhile, the outbox claims (storage/outbox.py) keep what it had in hand from
being sent twice when it comes back.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import NullPool

log = logging.getLogger("cutover.leader")

LEADER_LOCK = 0x6375746F76657202  # "cutover" and 2 (storage/schema.py uses 1)
CHECK_EVERY_S = 1.0
KEEPALIVES = "SET tcp_keepalives_idle = 5; SET tcp_keepalives_interval = 2; SET tcp_keepalives_count = 3"

Stop = Callable[[], None]


class Leadership:
    """Runs `on_elected` (which starts the workers and returns their stop) while this replica leads."""

    def __init__(
        self,
        database: Engine,
        on_elected: Callable[[], Stop],
        *,
        check_every: float = CHECK_EVERY_S,
        lock_key: int = LEADER_LOCK,
    ) -> None:
        self._lock_engine = create_engine(
            database.url,
            poolclass=NullPool,
            connect_args={"connect_timeout": 5, "keepalives": 1, "keepalives_idle": 5},
        )
        self.on_elected, self.check_every, self.lock_key = on_elected, check_every, lock_key
        self._connection: Connection | None = None
        self._stop_workers: Stop | None = None
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self.terms = 0  # how many times this replica became the leader

    @property
    def leading(self) -> bool:
        """True while this replica holds the lock and runs the workers."""
        return self._stop_workers is not None

    def start(self) -> Leadership:
        """Campaign in a background thread (the first attempt is made before returning)."""
        self._step()
        self._thread = threading.Thread(target=self._run, name="leadership", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop the workers if leading, release the lock (by closing the session) and stop campaigning."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(10)
        self._step_down("stopping")
        self._lock_engine.dispose()

    def _run(self) -> None:
        while not self._stopping.wait(self.check_every):
            self._step()

    def _step(self) -> None:
        """One check: campaign as a follower, or make sure the lock is still ours as the leader."""
        try:
            if self.leading:
                if not self._still_held():
                    self._step_down("the lock's session is gone")
            elif self._acquire():
                self.terms += 1
                log.info("elected leader: starting the scheduler and the outbox deliverer")
                self._stop_workers = self.on_elected()
        except Exception as exc:  # noqa: BLE001 - the database may be away: a leader steps down, all retry
            if self.leading:
                self._step_down(f"{type(exc).__name__}")
            else:
                self._close()
                log.warning("leader election: database not reachable (%s); trying again", type(exc).__name__)

    def _acquire(self) -> bool:
        if self._connection is None:
            connection = self._lock_engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            connection.exec_driver_sql(KEEPALIVES)
            self._connection = connection
        got = self._connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": self.lock_key})
        return bool(got.scalar())

    def _still_held(self) -> bool:
        assert self._connection is not None
        held = self._connection.execute(
            text(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
                " AND pid = pg_backend_pid() AND ((classid::bigint << 32) | objid::bigint) = :key"
            ),
            {"key": self.lock_key},
        )
        return bool(held.scalar())

    def _step_down(self, why: str) -> None:
        stop, self._stop_workers = self._stop_workers, None
        if stop is not None:
            log.warning("no longer the leader (%s): stopping the scheduler and the outbox deliverer", why)
            try:
                stop()
            except Exception:  # noqa: BLE001 - the lock must be let go even if a worker stops badly
                log.exception("a background worker did not stop cleanly")
        self._close()

    def _close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                connection.close()  # ends the session: the lock is released
            except Exception:  # noqa: BLE001 - a dead connection is closed already
                log.debug("closing the lock connection failed", exc_info=True)
