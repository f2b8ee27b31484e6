"""The schema of the release before migrations: the event log, request keys, the outbox, saved ts.

A database made by that release (tables, no alembic_version) is taken to be at this revision.
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("cutover_id", sa.String(120), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.UniqueConstraint("cutover_id", "seq", name="uq_events_cutover_seq"),
    )
    op.create_index("ix_events_cutover_id", "events", ["cutover_id"])
    op.create_index("ix_events_seq", "events", ["seq"])
    op.create_table(
        "request_keys",
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("cutover_id", sa.String(120), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_request_keys_cutover_seq", "request_keys", ["cutover_id", "seq"])
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(300), nullable=False),
        sa.Column("order_key", sa.String(200), nullable=False),
        sa.Column("method", sa.String(64), nullable=False),
        sa.Column("args", sa.Text(), nullable=False),
        sa.Column("save_ts_as", sa.String(200), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_outbox_key", "outbox", ["key"], unique=True)
    op.create_index("ix_outbox_order_key", "outbox", ["order_key"])
    op.create_index("ix_outbox_status", "outbox", ["status"])
    op.create_table(
        "saved_ts",
        sa.Column("name", sa.String(200), primary_key=True),
        sa.Column("ts", sa.String(64), nullable=False),
    )


def downgrade() -> None:
    for table in ("saved_ts", "outbox", "request_keys", "events"):
        op.drop_table(table)
