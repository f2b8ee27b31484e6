"""SQLModel tables: the append-only event log (the single source of truth) and request keys."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Column, DateTime, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


def utc(moment: datetime) -> datetime:
    """The same moment as an aware UTC datetime (SQLite hands back naive ones)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


class EventRow(SQLModel, table=True):
    """One event of one cutover; (cutover_id, seq) is unique, which makes appends optimistic."""

    __tablename__ = "events"
    __table_args__ = (UniqueConstraint("cutover_id", "seq", name="uq_events_cutover_seq"),)

    id: int | None = Field(default=None, primary_key=True)
    cutover_id: str = Field(index=True, max_length=120)
    seq: int = Field(index=True)  # finds each cutover's first event (seq 1) without scanning the log
    at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    actor: str = Field(max_length=64)
    kind: str = Field(max_length=64)
    payload: str = Field(sa_column=Column(Text, nullable=False))
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class RequestKey(SQLModel, table=True):
    """A request already applied (a Slack retry, a repeated action id, a scheduled job's key)."""

    __tablename__ = "request_keys"
    __table_args__ = (
        Index("ix_request_keys_cutover_seq", "cutover_id", "seq"),
    )  # the ledger reads a cutover's new keys

    key: str = Field(primary_key=True, max_length=200)
    cutover_id: str = Field(max_length=120)
    seq: int
    at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


class CutoverClaim(SQLModel, table=True):
    """A cutover made by a command, and the cutover it follows ('' for the first): each cutover has at
    most one successor, so two replicas that both saw the same last cutover ended (or none) cannot both
    start a new one; the second append fails and its command is decided again on the fresh log."""

    __tablename__ = "cutovers"
    __table_args__ = (UniqueConstraint("follows", name="uq_cutovers_follows"),)

    cutover_id: str = Field(primary_key=True, max_length=120)
    follows: str = Field(max_length=120)
