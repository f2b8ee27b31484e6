"""Shared fixtures: the NXOP plan and roster, databases (SQLite always, PostgreSQL when configured)."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest

from cutover.plan.model import default_runbook_path, load_runbook
from cutover.roster import default_roster_path, load_roster
from tests.support.bot import CommandBot

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
    """The PostgreSQL URL for tests; fail (not skip) when CI requires it and it is missing."""
    url = os.environ.get("CUTOVER_TEST_POSTGRES_URL")
    if not url:
        if os.environ.get("CUTOVER_REQUIRE_POSTGRES"):
            pytest.fail("CUTOVER_REQUIRE_POSTGRES is set but CUTOVER_TEST_POSTGRES_URL is not")
        pytest.skip("PostgreSQL tests skipped: set CUTOVER_TEST_POSTGRES_URL to run them")
    return url


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
