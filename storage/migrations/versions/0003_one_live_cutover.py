"""One live cutover, enforced by the database: each cutover made by a command names the cutover it
follows, and no two cutovers may follow the same one (two replicas scheduling at once make one).

Existing cutovers (the logs whose first event is `cutover.planned`) are chained in the order they
were made; a database in which the race already made two keeps both, one after the other.
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    claims = op.create_table(
        "cutovers",
        sa.Column("cutover_id", sa.String(120), primary_key=True),
        sa.Column("follows", sa.String(120), nullable=False),
        sa.UniqueConstraint("follows", name="uq_cutovers_follows"),
    )
    made = op.get_bind().execute(
        sa.text("SELECT cutover_id FROM events WHERE seq = 1 AND kind = 'cutover.planned' ORDER BY id")
    )
    ids = [row[0] for row in made]
    if ids:
        op.bulk_insert(
            claims,
            [
                {"cutover_id": c, "follows": previous}
                for previous, c in zip(["", *ids[:-1]], ids, strict=True)
            ],
        )


def downgrade() -> None:
    op.drop_table("cutovers")
