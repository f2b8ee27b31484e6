"""Database engines: a PostgreSQL that does not answer fails fast instead of hanging start-up."""

from __future__ import annotations

import socket
import time

import pytest
from sqlalchemy.exc import OperationalError

import storage.db as db


@pytest.fixture
def silent_server():
    """A TCP port that accepts connections (the kernel completes the handshake) but never speaks."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield listener.getsockname()[1]


@pytest.mark.parametrize(
    "default_s, query", [(1, ""), (60, "?connect_timeout=1")], ids=["the default", "the URL's own"]
)
def test_a_silent_postgresql_fails_within_the_connect_timeout(silent_server, monkeypatch, default_s, query):
    monkeypatch.setattr(db, "CONNECT_TIMEOUT_S", default_s)
    started = time.monotonic()
    with pytest.raises(OperationalError):
        db.create_db_engine(f"postgresql://cutover@127.0.0.1:{silent_server}/cutover{query}")
    assert time.monotonic() - started < 5


@pytest.mark.postgres
def test_a_postgresql_read_is_one_statement_outside_a_transaction_and_survives_a_dropped_connection():
    import gc
    import threading

    from sqlalchemy import text

    from tests.conftest import fresh_postgres, postgres_url

    engine = fresh_postgres(postgres_url())
    own = (
        "SELECT pg_backend_pid(), xact_start = query_start FROM pg_stat_activity WHERE pid = pg_backend_pid()"
    )
    ((pid, alone),) = db.read_rows(engine, own, ())
    assert alone  # autocommit: no transaction (and no pre-ping) before the read, no rollback after it
    assert db.read_rows(engine, own, ()) == [(pid, True)]  # the same connection: this thread's own

    with engine.connect() as admin:  # the server drops it (a restart, a failover, an idle timeout)
        assert admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar()
    ((again, alone),) = db.read_rows(engine, own, ())  # reconnected, and the read made again
    assert again != pid and alone
    assert db.read_rows(engine, "SELECT count(*) FROM events WHERE cutover_id = ?", ("c1",)) == [(0,)]

    pids: list[int] = []
    reader = threading.Thread(target=lambda: pids.append(db.read_rows(engine, own, ())[0][0]))
    reader.start()
    reader.join()
    gc.collect()  # a thread's connection is closed with the thread
    with engine.connect() as admin:
        for _ in range(50):
            alive = admin.execute(
                text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"), {"pid": pids[0]}
            ).scalar()
            if not alive:
                break
            time.sleep(0.1)
    assert pids[0] != again and not alive
    engine.dispose()
