"""Database engines: SQLite by default (a file, or in memory for tests), PostgreSQL by URL."""

from __future__ import annotations

import sqlite3
import threading
import weakref

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


_readers: weakref.WeakKeyDictionary[Engine, threading.local | bool] = weakref.WeakKeyDictionary()
_readers_lock = threading.Lock()


def read_rows(engine: Engine, sql: str, params: tuple) -> list[tuple]:
    """One plain read (`?` placeholders, positional): the hot path before every decision and answer.

    On a SQLite file each thread keeps its own read-only connection: no pool checkout, which under
    many request threads costs several times the query. Outside a transaction every SELECT sees what
    was committed last, by this process or another. Elsewhere (PostgreSQL, SQLite in memory) the
    read borrows a pooled connection straight from the driver, without SQLAlchemy's result machinery.
    """
    local = _readers.get(engine)
    if local is None:
        local = _reader_of(engine)
    if isinstance(local, threading.local):
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
    """The per-thread read connections of an engine on a SQLite file; False for any other engine."""
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    with _readers_lock:
        return _readers.setdefault(
            engine, threading.local() if database and database != ":memory:" else False
        )


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
