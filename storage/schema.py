"""The schema's revision: an empty database gets the current one; any other must already be at it.

Migrations live in storage/migrations (Alembic); `cutover-bot db upgrade` runs them. Every other
entry point only checks: a database at an older revision (or made by the release before
migrations, which has tables and no `alembic_version`) or at a revision this release does not know
(a newer release) raises `SchemaMismatch`, and nothing runs on it. On PostgreSQL, creating and
upgrading hold a transaction-level advisory lock, so replicas starting together create it once.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Column, MetaData, String, Table, inspect, text
from sqlalchemy.engine import Connection, Engine

REVISIONS = ("0001", "0002", "0003")  # oldest first; the last one is what this release runs on
HEAD = REVISIONS[-1]
BASELINE = REVISIONS[0]  # the schema of the release before migrations
SCHEMA_LOCK = 0x6375746F76657201  # a PostgreSQL advisory lock key: "cutover" and 1
MIGRATIONS = Path(__file__).with_name("migrations")

_version_table = Table(
    "alembic_version", MetaData(), Column("version_num", String(32), primary_key=True, nullable=False)
)


class SchemaMismatch(Exception):
    """The database's schema is not the one this release runs on: `cutover-bot db upgrade` (or a newer bot)."""

    def __init__(self, found: str, expected: str) -> None:
        super().__init__(f"database schema at revision {found}, this release needs {expected}")
        self.found, self.expected = found, expected

    @property
    def newer(self) -> bool:
        """True when the database was upgraded by a newer release than this one."""
        return self.found not in REVISIONS


def revision_of(connection: Connection) -> str | None:
    """The database's revision; BASELINE for tables without a version; None for an empty database."""
    tables = set(inspect(connection).get_table_names())
    if "alembic_version" in tables:
        found = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
        if found:
            return found[0]
    return BASELINE if "events" in tables else None


def prepare(engine: Engine) -> None:
    """Create the current schema in an empty database; SchemaMismatch when another revision is there."""
    from sqlmodel import SQLModel

    import storage.models  # noqa: F401  - the tables
    import storage.outbox  # noqa: F401

    with engine.begin() as connection:
        _lock(connection)
        found = revision_of(connection)
        if found is None:
            SQLModel.metadata.create_all(connection)
            _version_table.create(connection, checkfirst=True)
            connection.execute(_version_table.insert().values(version_num=HEAD))
            return
    if found != HEAD:
        raise SchemaMismatch(found, HEAD)


def upgrade(engine: Engine) -> tuple[str | None, str]:
    """Bring the database to HEAD with the migrations; return (revision before, revision after)."""
    from alembic import command
    from alembic.config import Config

    with engine.begin() as connection:
        _lock(connection)
        before = revision_of(connection)
        if before is not None and before not in REVISIONS:
            raise SchemaMismatch(before, HEAD)
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["connection"] = connection
        if before == BASELINE and not inspect(connection).has_table("alembic_version"):
            _baseline_indexes(connection)  # that release patched in indexes at start-up: any still missing
            command.stamp(config, BASELINE)  # the release before migrations: its tables are revision 0001
        command.upgrade(config, "head")
        after = revision_of(connection)
    return before, after or HEAD


def _baseline_indexes(connection: Connection) -> None:
    """The indexes of revision 0001 a database of an older build of that release may lack."""
    from sqlmodel import SQLModel

    import storage.models  # noqa: F401
    import storage.outbox  # noqa: F401

    for table in SQLModel.metadata.sorted_tables:
        for index in table.indexes:
            index.create(connection, checkfirst=True)


def _lock(connection: Connection) -> None:
    """On PostgreSQL, one schema change at a time across processes (released with the transaction)."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCHEMA_LOCK})
