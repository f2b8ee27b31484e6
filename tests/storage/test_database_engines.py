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
