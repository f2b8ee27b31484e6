"""The outbox: every outgoing call is a row first, then delivered; and the message timestamps saved.

A row is `pending` until delivered (`sent`) or refused for good (`failed`). Its `key` is unique,
so queueing the same message twice is a no-op. Rows sharing an `order_key` are delivered in `id`
order; `next_attempt_at` holds a row back after a retryable failure.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Column, DateTime, Text, func
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel, select

from storage.eventlog import utc

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

    def arguments(self) -> dict[str, Any]:
        """The call's arguments, decoded."""
        return json.loads(self.args)


class SavedTs(SQLModel, table=True):
    """A value a delivered call saved under a name: a message `ts`, or a DM channel id."""

    __tablename__ = "saved_ts"

    name: str = Field(primary_key=True, max_length=200)
    ts: str = Field(max_length=64)


def create_tables(*, engine: Engine) -> None:
    """Create the outbox tables when missing (the event log's tables are created elsewhere)."""
    SQLModel.metadata.create_all(engine, tables=[OutboxRow.__table__, SavedTs.__table__])


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
                session.exec(select(OutboxRow.key).where(OutboxRow.key.in_(keys[start : start + 500]))).all()
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
            select(OutboxRow).join(first, OutboxRow.id == first.c.head).order_by(OutboxRow.id)
        ).all()
        for row in rows:
            session.expunge(row)
        return list(rows)


def mark_sent(*, engine: Engine, row_id: int, now: datetime, save_as: str | None, value: str | None) -> None:
    """Record a delivery, and the value it saved, in one transaction."""
    with Session(engine) as session:
        row = session.get(OutboxRow, row_id)
        row.status, row.sent_at, row.attempts, row.last_error = SENT, utc(now), row.attempts + 1, ""
        session.add(row)
        if save_as and value:
            saved = session.get(SavedTs, save_as) or SavedTs(name=save_as, ts=value)
            saved.ts = value
            session.add(saved)
        session.commit()


def mark_retry(*, engine: Engine, row_id: int, error: str, next_attempt_at: datetime) -> int:
    """Record a retryable failure and when to try again; return the attempts so far."""
    with Session(engine) as session:
        row = session.get(OutboxRow, row_id)
        row.attempts += 1
        row.last_error, row.next_attempt_at = error[:2000], utc(next_attempt_at)
        session.add(row)
        session.commit()
        return row.attempts


def mark_failed(*, engine: Engine, row_id: int, error: str) -> None:
    """Record a refusal for good (the call can never succeed as written)."""
    with Session(engine) as session:
        row = session.get(OutboxRow, row_id)
        row.status, row.attempts, row.last_error = FAILED, row.attempts + 1, error[:2000]
        session.add(row)
        session.commit()


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
        query = select(OutboxRow).order_by(OutboxRow.id)
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
