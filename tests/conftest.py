"""Shared fixtures: the NXOP plan and roster, databases (SQLite always, PostgreSQL when configured)."""

from __future__ import annotations

import contextlib
import os
from datetime import UTC, datetime

import pytest
from hypothesis import settings

from cutover.plan.model import default_runbook_path, load_runbook
from cutover.roster import default_roster_path, load_roster
from tests.support.bot import CommandBot

# Property tests explore new examples on a developer's machine; CI (HYPOTHESIS_PROFILE=ci) replays the
# same ones on every run, so a red CI is a change's doing, not the draw's.
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

T0 = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def plan():
    """The shipped NXOP runbook."""
    return load_runbook(default_runbook_path())


@pytest.fixture(scope="session")
def roster(plan):
    """The shipped example roster."""
    return load_roster(default_roster_path(), plan)


def postgres_url() -> str | None:
    """The PostgreSQL URL for tests; fail (not skip) when CI requires it and it is missing.

    Under pytest-xdist each worker gets a database of its own, `<db>_gw0`, `<db>_gw1`, ... beside the
    configured one (created when missing), since the tests drop and create tables and take advisory locks.
    """
    url = os.environ.get("CUTOVER_TEST_POSTGRES_URL")
    if not url:
        if os.environ.get("CUTOVER_REQUIRE_POSTGRES"):
            pytest.fail("CUTOVER_REQUIRE_POSTGRES is set but CUTOVER_TEST_POSTGRES_URL is not")
        pytest.skip("PostgreSQL tests skipped: set CUTOVER_TEST_POSTGRES_URL to run them")
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    return _worker_database(url, worker) if worker else url


_worker_databases: dict[str, str] = {}


def worker_database_url(url: str, worker: str) -> str:
    """`url` with its database name suffixed by the xdist worker id: `.../test` -> `.../test_gw0`."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    return parsed.set(database=f"{parsed.database}_{worker}").render_as_string(hide_password=False)


def _worker_database(url: str, worker: str) -> str:
    """The worker's database URL, the database created (once per process) when it does not exist."""
    if url not in _worker_databases:
        mine = worker_database_url(url, worker)
        try:
            _create_database_if_missing(url, mine)
        except Exception as exc:  # noqa: BLE001
            if os.environ.get("CUTOVER_REQUIRE_POSTGRES"):
                pytest.fail(f"PostgreSQL database for worker {worker} cannot be created from {url}: {exc}")
            pytest.skip(f"PostgreSQL database for worker {worker} cannot be created: {exc}")
        _worker_databases[url] = mine
    return _worker_databases[url]


def _create_database_if_missing(url: str, mine: str) -> None:
    """CREATE DATABASE for `mine`, connected to the server's `postgres` database or else to `url`'s own."""
    import psycopg
    from psycopg import sql
    from sqlalchemy.engine import make_url

    wanted = make_url(mine).database
    server = make_url(url).set(drivername="postgresql")
    last: Exception | None = None
    for maintenance in ("postgres", server.database):
        conninfo = server.set(database=maintenance).render_as_string(hide_password=False)
        try:
            with psycopg.connect(conninfo, autocommit=True, connect_timeout=10) as connection:
                exists = connection.execute(
                    "SELECT 1 FROM pg_database WHERE datname = %s", (wanted,)
                ).fetchone()
                if not exists:  # (a concurrent run may create it meanwhile: that is fine)
                    with contextlib.suppress(psycopg.errors.DuplicateDatabase):
                        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(wanted)))
                return
        except psycopg.OperationalError as exc:
            last = exc
    assert last is not None
    raise last


def fresh_postgres(url: str):
    """A PostgreSQL engine with empty tables at the current schema revision."""
    from sqlalchemy import text
    from sqlmodel import SQLModel

    import storage.outbox  # noqa: F401  - its tables are dropped too
    from storage import schema
    from storage.db import create_db_engine

    try:
        engine = create_db_engine(url, prepare=False)
        with engine.begin() as connection:
            SQLModel.metadata.drop_all(connection)
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        schema.prepare(engine)
    except Exception as exc:  # noqa: BLE001
        if os.environ.get("CUTOVER_REQUIRE_POSTGRES"):
            pytest.fail(f"PostgreSQL at {url} is required but not usable: {exc}")
        pytest.skip(f"PostgreSQL at {url} not usable: {exc}")
    return engine


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request, tmp_path):
    """A database URL with empty tables: a SQLite file, and PostgreSQL when configured."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'cutover.db'}"
    url = postgres_url()
    fresh_postgres(url).dispose()
    return url


@pytest.fixture
def bot(plan, roster):
    """A transport-free bot on in-memory SQLite and a virtual clock at T0."""
    return CommandBot(plan, roster, "sqlite://", T0)
