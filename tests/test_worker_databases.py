"""Parallel test runs (pytest-xdist): each worker gets a PostgreSQL database of its own."""

from __future__ import annotations

import pytest

from tests import conftest
from tests.conftest import postgres_url, worker_database_url


def test_a_worker_database_is_the_configured_one_suffixed_with_the_worker_id():
    assert worker_database_url("postgresql://postgres@127.0.0.1:5432/test", "gw1") == (
        "postgresql://postgres@127.0.0.1:5432/test_gw1"
    )
    assert worker_database_url("postgresql+psycopg://u:secret@db:5433/ci?sslmode=disable", "gw0") == (
        "postgresql+psycopg://u:secret@db:5433/ci_gw0?sslmode=disable"
    )


@pytest.mark.postgres
def test_a_missing_worker_database_is_created_and_an_existing_one_reused(monkeypatch):
    import psycopg
    from psycopg import sql
    from sqlalchemy.engine import make_url

    base = postgres_url()
    monkeypatch.setattr(conftest, "_worker_databases", {})
    monkeypatch.setenv("CUTOVER_TEST_POSTGRES_URL", base)
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gwcheck")
    mine = postgres_url()
    name = make_url(mine).database
    assert name == f"{make_url(base).database}_gwcheck"
    plain = make_url(mine).set(drivername="postgresql").render_as_string(hide_password=False)
    try:
        with psycopg.connect(plain) as connection:
            assert connection.execute("SELECT current_database()").fetchone() == (name,)
        monkeypatch.setattr(conftest, "_worker_databases", {})
        assert postgres_url() == mine  # it exists now: reused, not an error
    finally:
        server = make_url(base).set(drivername="postgresql").render_as_string(hide_password=False)
        with psycopg.connect(server, autocommit=True) as connection:
            connection.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
