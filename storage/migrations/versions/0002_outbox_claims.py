"""Outbox claims: the leader that claimed a row, until when, and when its send began (at most once).

`claimed_by`/`lease_until`: a deliverer claims rows (FOR UPDATE SKIP LOCKED on PostgreSQL) for a
lease, so that a stalled leader that comes back cannot send a row another leader has taken.
`sending_since`: set before a call goes out, cleared with its outcome; a row found with it set was
in flight at a crash, and is looked up in Slack before it is sent again.
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("claimed_by", sa.String(64), nullable=True))
        batch.add_column(sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("sending_since", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("sending_since")
        batch.drop_column("lease_until")
        batch.drop_column("claimed_by")
