"""The outbox: every outgoing call is a row first, then delivered; and the message timestamps saved.

A row is `pending` until delivered (`sent`) or refused for good (`failed`). Its `key` is unique,
so queueing the same message twice is a no-op. Rows sharing an `order_key` are delivered in `id`
order; `next_attempt_at` holds a row back after a retryable failure.

Before each send a deliverer claims the row (`begin_send`): on PostgreSQL `FOR UPDATE SKIP LOCKED`,
so two deliverers never take the same row at once, and a lease (`claimed_by`, `lease_until`), so a
deliverer that stalled cannot send a row another one has taken since (it checks its lease before the
call). `sending_since` stays set while the outcome of a send is unknown (in flight at a crash, a
timeout): the next claim says `maybe_sent`, and the deliverer looks for the message before sending.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Column, DateTime, Table, Text, func, insert, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel, col, select

from storage.models import utc

PENDING, SENT, FAILED = "pending", "sent", "failed"


class OutboxRow(SQLModel, table=True):
    """One call to deliver: a Slack Web API method or "ses.send_email", with its arguments."""

    __tablename__ = "outbox"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=300, unique=True, index=True)
    order_key: str = Field(default="", max_length=200, index=True)
    method: str = Field(max_length=64)
    args: str = Field(sa_column=Column(Text, nullable=False))
    save_ts_as: str | None = Field(default=None, max_length=200)
    status: str = Field(default=PENDING, max_length=16, index=True)
    attempts: int = 0
    next_attempt_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    last_error: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    created_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    sent_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=True))
    # claims (migration 0002): who delivers the row until when; when its send began (at most once)
    claimed_by: str | None = Field(default=None, max_length=64)
    lease_until: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )
    sending_since: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )

    def arguments(self) -> dict[str, Any]:
        """The call's arguments, decoded."""
        return json.loads(self.args)


class SavedTs(SQLModel, table=True):
    """A value a delivered call saved under a name: a message `ts`, or a DM channel id."""

    __tablename__ = "saved_ts"

    name: str = Field(primary_key=True, max_length=200)
    ts: str = Field(max_length=64)


def _table(model: type[SQLModel]) -> Table:
    """A model's Core table (SQLModel's classes do not declare `__table__` to type checkers)."""
    return SQLModel.metadata.tables[str(model.__tablename__)]


def create_tables(*, engine: Engine) -> None:
    """Create the outbox tables when missing (the event log's tables are created elsewhere)."""
    tables = SQLModel.metadata.tables
    SQLModel.metadata.create_all(
        engine, tables=[tables[OutboxRow.__tablename__], tables[SavedTs.__tablename__]]
    )


def enqueue(
    *,
    engine: Engine,
    key: str,
    order_key: str,
    method: str,
    args: dict[str, Any],
    save_ts_as: str | None,
    now: datetime,
) -> bool:
    """Insert a pending row; False when a row with this key already exists (nothing changes)."""
    with Session(engine) as session:
        session.add(
            OutboxRow(
                key=key,
                order_key=order_key,
                method=method,
                save_ts_as=save_ts_as,
                args=json.dumps(args, sort_keys=True, ensure_ascii=False),
                next_attempt_at=utc(now),
                created_at=utc(now),
            )
        )
        try:
            session.commit()
        except IntegrityError:  # a concurrent enqueue of the same key won
            session.rollback()
            return False
        return True


def enqueue_many(*, engine: Engine, calls: list[dict[str, Any]], now: datetime) -> int:
    """Insert many pending rows in one transaction (keys already present are skipped); return how many."""
    keys = [c["key"] for c in calls]
    with Session(engine) as session:
        present: set[str] = set()
        for start in range(0, len(keys), 500):
            present |= set(
                session.exec(
                    select(OutboxRow.key).where(col(OutboxRow.key).in_(keys[start : start + 500]))
                ).all()
            )
        added = 0
        for call in calls:
            if call["key"] in present:
                continue
            present.add(call["key"])
            session.add(
                OutboxRow(
                    key=call["key"],
                    order_key=call["order"],
                    method=call["method"],
                    save_ts_as=call["save_ts_as"],
                    args=json.dumps(call["args"], sort_keys=True, ensure_ascii=False),
                    next_attempt_at=utc(now),
                    created_at=utc(now),
                )
            )
            added += 1
        session.commit()
        return added


def heads(*, engine: Engine) -> list[OutboxRow]:
    """The first pending row of every order key, oldest first."""
    with Session(engine) as session:
        first = (
            select(OutboxRow.order_key, func.min(OutboxRow.id).label("head"))
            .where(OutboxRow.status == PENDING)
            .group_by(OutboxRow.order_key)
            .subquery()
        )
        rows = session.exec(
            select(OutboxRow).join(first, col(OutboxRow.id) == first.c.head).order_by(col(OutboxRow.id))
        ).all()
        for row in rows:
            session.expunge(row)
        return list(rows)


@dataclass(frozen=True)
class Claim:
    """A row claimed for one send, until `lease_until`; `maybe_sent`: an earlier send's outcome is unknown."""

    row_id: int
    owner: str
    lease_until: datetime
    maybe_sent: bool
    since: datetime  # when the first send whose outcome is unknown began (or this one)


def begin_send(*, engine: Engine, row_id: int, owner: str, now: datetime, lease: timedelta) -> Claim | None:
    """Claim a pending row for one send; None when it is no longer pending or another deliverer holds it."""
    with Session(engine) as session:
        query = select(OutboxRow).where(OutboxRow.id == row_id, OutboxRow.status == PENDING)
        if engine.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)  # another deliverer is claiming it right now
        row = session.exec(query).first()
        if row is None:
            return None
        now = utc(now)
        if row.claimed_by not in (None, owner) and row.lease_until is not None and utc(row.lease_until) > now:
            return None  # leased to another deliverer that may be sending it
        maybe_sent = row.sending_since is not None
        since = utc(row.sending_since) if row.sending_since is not None else now
        row.claimed_by, row.lease_until, row.sending_since = owner, now + lease, since
        session.add(row)
        session.commit()
        return Claim(row_id, owner, now + lease, maybe_sent, since)


def _held_by(owner: str, row_id: int | None):
    """An UPDATE of the row while it is pending and claimed by `owner`: a deliverer whose lease ran out
    and whose row another deliverer claimed since changes nothing (the newer claim decides)."""
    table = _table(OutboxRow)
    return (
        update(table)
        .where(table.c.id == row_id, table.c.status == PENDING, table.c.claimed_by == owner)
        .returning(table.c.attempts)
    )


_SETTLED = {"claimed_by": None, "lease_until": None}  # the claim ends


def mark_sent(
    *,
    engine: Engine,
    row_id: int | None,
    owner: str,
    now: datetime,
    save_as: str | None,
    value: str | None,
) -> bool:
    """Record a delivery, and the value it saved, in one transaction; False (nothing recorded) when the
    row is no longer claimed by `owner`."""
    table = _table(OutboxRow)
    with engine.begin() as connection:
        done = connection.execute(
            _held_by(owner, row_id).values(
                status=SENT,
                sent_at=utc(now),
                attempts=table.c.attempts + 1,
                last_error="",
                sending_since=None,
                **_SETTLED,
            )
        ).first()
        if done is None:
            return False
        if save_as and value:
            saved_table = _table(SavedTs)
            changed = connection.execute(
                update(saved_table).where(saved_table.c.name == save_as).values(ts=value)
            ).rowcount
            if not changed:
                connection.execute(insert(saved_table).values(name=save_as, ts=value))
        return True


def mark_retry(
    *,
    engine: Engine,
    row_id: int | None,
    owner: str,
    error: str,
    next_attempt_at: datetime,
    maybe_sent: bool = False,
) -> int | None:
    """Record a retryable failure and when to try again; return the attempts so far (None, nothing
    recorded, when the row is no longer claimed by `owner`).

    `maybe_sent`: the call may have gone through (a timeout, a 5xx): the next attempt looks first
    (`sending_since` stays set for the next claim).
    """
    table = _table(OutboxRow)
    changes: dict[str, Any] = {
        "attempts": table.c.attempts + 1,
        "last_error": error[:2000],
        "next_attempt_at": utc(next_attempt_at),
        **_SETTLED,
    }
    if not maybe_sent:
        changes["sending_since"] = None
    with engine.begin() as connection:
        done = connection.execute(_held_by(owner, row_id).values(**changes)).first()
    return None if done is None else int(done[0])


def mark_failed(*, engine: Engine, row_id: int | None, owner: str, error: str) -> bool:
    """Record a refusal for good (the call can never succeed as written); False (nothing recorded)
    when the row is no longer claimed by `owner`."""
    table = _table(OutboxRow)
    with engine.begin() as connection:
        done = connection.execute(
            _held_by(owner, row_id).values(
                status=FAILED,
                attempts=table.c.attempts + 1,
                last_error=error[:2000],
                sending_since=None,
                **_SETTLED,
            )
        ).first()
    return done is not None


def saved(*, engine: Engine) -> dict[str, str]:
    """Every saved name and value."""
    with Session(engine) as session:
        return {row.name: row.ts for row in session.exec(select(SavedTs)).all()}


def saved_value(*, engine: Engine, name: str) -> str | None:
    """One saved value, if any."""
    with Session(engine) as session:
        row = session.get(SavedTs, name)
        return row.ts if row else None


def rows(*, engine: Engine, status: str | None = None) -> list[OutboxRow]:
    """Rows in id order, optionally of one status (for `/cutover comms`, tests and the report)."""
    with Session(engine) as session:
        query = select(OutboxRow).order_by(col(OutboxRow.id))
        if status is not None:
            query = query.where(OutboxRow.status == status)
        found = session.exec(query).all()
        for row in found:
            session.expunge(row)
        return list(found)


def count(*, engine: Engine, status: str) -> int:
    """How many rows have this status."""
    with Session(engine) as session:
        return session.exec(
            select(func.count()).select_from(OutboxRow).where(OutboxRow.status == status)
        ).one()


def backlog(*, engine: Engine) -> tuple[int, datetime | None]:
    """How many rows wait for delivery, and when the oldest of them was queued (None when none)."""
    with Session(engine) as session:
        depth, oldest = session.exec(
            select(func.count(), func.min(OutboxRow.created_at)).where(OutboxRow.status == PENDING)
        ).one()
        return depth, utc(oldest) if oldest is not None else None


REPEATED_FAILURES = 3  # a Slack call that failed this many times in a row: delivery is failing


@dataclass(frozen=True)
class Trouble:
    """Why delivery to Slack is failing: the calls refused for good or failing again and again."""

    refused: int  # failed for good (a parent refused keeps its whole thread waiting)
    failing: int  # still pending after REPEATED_FAILURES attempts
    last_error: str


def slack_trouble(*, engine: Engine, email_method: str = "ses.send_email") -> Trouble | None:
    """Failing Slack delivery (a refused parent message, calls failing again and again), or None."""
    with Session(engine) as session:
        slack = OutboxRow.method != email_method
        parents_refused = session.exec(
            select(func.count())
            .select_from(OutboxRow)
            .where(slack, OutboxRow.status == FAILED, col(OutboxRow.key).startswith("parent:"))
        ).one()
        failing = session.exec(
            select(func.count())
            .select_from(OutboxRow)
            .where(slack, OutboxRow.status == PENDING, OutboxRow.attempts >= REPEATED_FAILURES)
        ).one()
        if not parents_refused and not failing:
            return None
        last = session.exec(
            select(OutboxRow.last_error)
            .where(slack, OutboxRow.last_error != "")
            .where((OutboxRow.status == FAILED) | (OutboxRow.attempts >= REPEATED_FAILURES))
            .order_by(col(OutboxRow.id).desc())
            .limit(1)
        ).first()
        return Trouble(refused=parents_refused, failing=failing, last_error=last or "")
