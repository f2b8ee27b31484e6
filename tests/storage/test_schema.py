"""Schema migrations: a database of the release before them is upgraded; other revisions are refused."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text
from sqlmodel import SQLModel

from bot.cli import main
from storage import outbox, schema
from storage.db import create_db_engine, normalize_url
from tests.conftest import postgres_url

OLD = Path(__file__).parents[1] / "fixtures" / "release-before-migrations"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def old_database(request, tmp_path) -> str:
    """The URL of a database made by the release before migrations (11 events, a message pending)."""
    if request.param == "sqlite":
        path = tmp_path / "old.db"
        with sqlite3.connect(path) as connection:
            connection.executescript((OLD / "sqlite.sql").read_text())
        return f"sqlite:///{path}"
    url = postgres_url()
    engine = create_engine(normalize_url(url))
    with engine.begin() as connection:
        for table in ("alembic_version", *SQLModel.metadata.tables):  # whatever an earlier test made
            connection.execute(text(f"DROP TABLE IF EXISTS {table} CASCADE"))
        connection.exec_driver_sql((OLD / "postgres.sql").read_text())
    engine.dispose()
    return url


def differences(url: str) -> list:
    """What differs between the database's schema and the models (empty when they agree)."""
    engine = create_db_engine(url, prepare=False)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return compare_metadata(context, SQLModel.metadata)
    finally:
        engine.dispose()


def test_a_database_of_the_release_before_migrations_is_refused_then_upgraded(old_database, capsys):
    with pytest.raises(schema.SchemaMismatch) as refused:
        create_db_engine(old_database)
    assert (refused.value.found, refused.value.expected, refused.value.newer) == ("0001", schema.HEAD, False)
    assert main(["db", "check", "--db", old_database]) == 1

    assert main(["db", "upgrade", "--db", old_database]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == (
        f"database schema upgraded from revision 0001 to {schema.HEAD}"
    )
    assert differences(old_database) == []
    assert main(["audit", "verify", "--db", old_database]) == 0  # the log came through intact
    assert "11 events, hash chain intact" in capsys.readouterr().out
    engine = create_db_engine(old_database)  # what every entry point does: now accepted
    with engine.connect() as connection:  # its cutover is claimed: a second one cannot start beside it
        claims = connection.execute(text("SELECT cutover_id, follows FROM cutovers")).all()
    assert [tuple(c) for c in claims] == [("nxop-region-switch-1", "")]
    (waiting,) = outbox.rows(engine=engine, status=outbox.PENDING)
    assert (waiting.key, waiting.claimed_by, waiting.sending_since) == ("note:before-upgrade", None, None)
    engine.dispose()

    assert main(["db", "upgrade", "--db", old_database]) == 0
    assert "already at revision" in capsys.readouterr().out
    assert main(["db", "check", "--db", old_database]) == 0


def test_an_empty_database_gets_the_same_schema_from_the_migrations_as_from_the_models(db_url, capsys):
    created = create_db_engine(db_url)  # db_url: the models' tables, stamped at HEAD
    created.dispose()
    assert differences(db_url) == []
    fresh = create_db_engine(db_url, prepare=False)
    with fresh.begin() as connection:
        SQLModel.metadata.drop_all(connection)
        connection.execute(text("DROP TABLE alembic_version"))
    fresh.dispose()
    assert main(["db", "upgrade", "--db", db_url]) == 0
    assert capsys.readouterr().out.strip() == f"database schema created at revision {schema.HEAD}"
    assert differences(db_url) == []


def test_head_is_the_last_migration():
    config = Config()
    config.set_main_option("script_location", str(schema.MIGRATIONS))
    assert ScriptDirectory.from_config(config).get_current_head() == schema.HEAD
    revisions = [r.revision for r in ScriptDirectory.from_config(config).walk_revisions()]
    assert tuple(reversed(revisions)) == schema.REVISIONS


def test_an_older_build_of_that_release_gets_its_missing_index_on_upgrade(tmp_path):
    path = tmp_path / "older.db"
    with sqlite3.connect(path) as connection:
        connection.executescript((OLD / "sqlite.sql").read_text())
        connection.execute("DROP INDEX ix_request_keys_cutover_seq")
    url = f"sqlite:///{path}"
    assert main(["db", "upgrade", "--db", url]) == 0
    indexes = inspect(create_db_engine(url)).get_indexes("request_keys")
    assert [i["column_names"] for i in indexes] == [["cutover_id", "seq"]]


def _serve(url: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": "secret",
        "SLACK_API_URL": "http://127.0.0.1:9/api/",
        "CUTOVER_ALLOW_EXAMPLE_ROSTER": "1",  # the schema check is under test, not the roster
    }
    command = [sys.executable, "-m", "bot.cli", "serve", "--http", "--port", "0", "--host", "127.0.0.1"]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)


def test_serve_refuses_an_older_and_a_newer_schema_with_one_line(old_database):
    older = _serve(old_database)
    assert older.returncode == 2
    assert older.stderr.splitlines() == [
        f"cutover-bot: the database schema is at revision 0001 and this release needs {schema.HEAD}: "
        "run `cutover-bot db upgrade` first"
    ]
    assert main(["db", "upgrade", "--db", old_database]) == 0
    engine = create_db_engine(old_database)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0099'"))
    engine.dispose()
    newer = _serve(old_database)
    assert newer.returncode == 2
    assert newer.stderr.splitlines() == [
        f"cutover-bot: the database schema is at revision 0099, made by a newer release than this one "
        f"(revision {schema.HEAD}): run that release, or restore a backup"
    ]
    assert main(["db", "upgrade", "--db", old_database]) == 2  # nor does this release "upgrade" it
