"""Database engines: SQLite by default (a file, or in memory for tests), PostgreSQL by URL."""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import weakref
from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import StaticPool
from sqlmodel import create_engine

from storage import schema

CONNECT_TIMEOUT_S = 10  # PostgreSQL: unless the URL says otherwise (?connect_timeout=N)
POOL_SIZE = (
    16  # PostgreSQL connections kept open: the request threads and the background workers, without churn
)


def normalize_url(url: str) -> str:
    """Accept postgres:// and postgresql:// URLs and use the psycopg 3 driver for them."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def create_db_engine(url: str, *, prepare: bool = True) -> Engine:
    """An engine for the URL, its schema created or checked (storage/schema.py); SQLite waits on locks."""
    url = normalize_url(url)
    if url.startswith("sqlite"):
        in_memory = url in ("sqlite://", "sqlite:///:memory:")
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            poolclass=StaticPool if in_memory else None,
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:  # pragma: no cover - driver hook
            cursor = dbapi_connection.cursor()
            if not in_memory:
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()
    else:
        # a database that does not answer fails start-up and health checks in seconds instead of hanging them
        connect_args = {} if "connect_timeout" in url else {"connect_timeout": CONNECT_TIMEOUT_S}
        engine = create_engine(url, pool_pre_ping=True, connect_args=connect_args, pool_size=POOL_SIZE)
    if prepare:
        schema.prepare(engine)  # an empty database gets the schema; another revision: SchemaMismatch
    return engine


def single_connection(engine: Engine) -> bool:
    """In-memory SQLite: one connection, which background threads cannot share (their work runs inline)."""
    return engine.dialect.name == "sqlite" and engine.url.database in (None, "", ":memory:")


READERS_MAX = 12  # PostgreSQL: dedicated read connections per engine; threads beyond use the pool


class _PostgresReaders(threading.local):
    """PostgreSQL: each thread's own autocommit read connection (up to READERS_MAX per engine)."""

    def __init__(self, budget: list[int]) -> None:
        self.budget = budget  # shared by the engine's threads: [connections still allowed]
        self.connection = None
        self.release: Callable[[], object] | None = None  # closes it: at thread exit, or when broken


_readers: weakref.WeakKeyDictionary[Engine, threading.local | bool] = weakref.WeakKeyDictionary()
_readers_lock = threading.Lock()


def read_rows(engine: Engine, sql: str, params: tuple) -> list[tuple]:
    """One plain read (`?` placeholders, positional): the hot path before every decision and answer.

    On a SQLite file each thread keeps its own read-only connection: no pool checkout, which under
    many request threads costs several times the query. Outside a transaction every SELECT sees what
    was committed last, by this process or another. On PostgreSQL likewise each thread keeps its own
    connection in autocommit mode: one round trip per read (a pooled connection costs three: the
    pre-ping, the query, the rollback on its return); a connection the server dropped is replaced and
    the read made again, instead of pinging before every read. Elsewhere (SQLite in memory, or more
    threads than READERS_MAX) the read borrows a pooled connection straight from the driver.
    """
    local = _readers.get(engine)
    if local is None:
        local = _reader_of(engine)
    if isinstance(local, _PostgresReaders):
        rows = _postgres_read(engine, local, sql.replace("?", "%s"), params)
        if rows is not None:
            return rows
    elif isinstance(local, threading.local):
        return _thread_reader(engine, local).execute(sql, params).fetchall()
    if engine.dialect.paramstyle != "qmark":
        sql = sql.replace("?", "%s")
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        try:
            cursor.execute(sql, params)
            return list(cursor.fetchall())
        finally:
            cursor.close()
    finally:
        connection.close()  # back to the pool, which rolls back the read


def _reader_of(engine: Engine) -> threading.local | bool:
    """The per-thread read connections of an engine on a SQLite file or PostgreSQL; False for any other."""
    if engine.dialect.name == "postgresql":
        readers: threading.local | bool = _PostgresReaders([READERS_MAX])
    else:
        database = engine.url.database if engine.dialect.name == "sqlite" else None
        readers = threading.local() if database and database != ":memory:" else False
    with _readers_lock:
        return _readers.setdefault(engine, readers)


def _postgres_read(engine: Engine, local: _PostgresReaders, sql: str, params: tuple) -> list[tuple] | None:
    """The read on this thread's autocommit connection, reconnecting once when the server dropped it;
    None when this thread has none and the engine's budget of them is spent."""
    for attempt in (1, 2):
        connection = local.connection or _postgres_reader(engine, local)
        if connection is None:
            return None
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return list(cursor.fetchall())
        except Exception:
            broken = connection.closed or connection.broken
            if not broken or attempt == 2:
                raise
            _drop_reader(local)  # the server ended the session (restart, failover, idle timeout)
    raise AssertionError("unreachable")


def _postgres_reader(engine: Engine, local: _PostgresReaders):
    """A new autocommit driver connection for this thread, detached from the pool (None: over budget)."""
    with _readers_lock:
        if local.budget[0] <= 0:
            return None
        local.budget[0] -= 1
    try:
        pooled = engine.raw_connection()  # the engine's own connect arguments and hooks
        connection = pooled.driver_connection
        if connection is None:
            raise RuntimeError("the pool gave no driver connection")
        pooled.detach()  # this thread's from now on; closing it closes it
        connection.rollback()  # out of the transaction the pool's pre-ping began
        connection.autocommit = True
    except BaseException:
        with _readers_lock:
            local.budget[0] += 1
        raise
    local.connection = connection
    # the thread-local holder goes with the thread: then the connection is closed, its place given back
    local.release = weakref.finalize(_Holder.of(local), _close_quietly, connection, local.budget)
    return connection


class _Holder:
    """An object that lives exactly as long as one thread's slot of a `_PostgresReaders`."""

    @classmethod
    def of(cls, local: _PostgresReaders) -> _Holder:
        holder = getattr(local, "holder", None)
        if holder is None:
            holder = local.holder = cls()
        return holder


def _drop_reader(local: _PostgresReaders) -> None:
    """Forget this thread's broken connection (closed, its place in the budget given back)."""
    release, local.connection, local.release = local.release, None, None
    if release is not None:
        release()


def _close_quietly(connection, budget: list[int]) -> None:
    """Close a read connection and give its place back (at thread exit, or when the server dropped it)."""
    if connection is None:
        return
    with contextlib.suppress(Exception):
        connection.close()
    with _readers_lock:
        budget[0] += 1


def _thread_reader(engine: Engine, local: threading.local) -> sqlite3.Connection:
    """This thread's read-only connection to the engine's SQLite file (closed with the thread or the engine)."""
    connection = getattr(local, "connection", None)
    if connection is None:
        connection = sqlite3.connect(
            engine.url.database or "", timeout=30, isolation_level=None, check_same_thread=False
        )
        connection.execute("PRAGMA busy_timeout=30000")
        connection.execute("PRAGMA query_only=1")
        local.connection = connection
    return connection
