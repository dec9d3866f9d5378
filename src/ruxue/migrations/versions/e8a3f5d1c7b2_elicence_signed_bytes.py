"""elicence: keep the notice's signed bytes, the published seal key's id and the signing time

Revision ID: e8a3f5d1c7b2
Revises: d2b7c9e4a1f6
Create Date: 2026-12-07 21:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ruxue.kit.db

revision: str = "e8a3f5d1c7b2"
down_revision: str | None = "d2b7c9e4a1f6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("elicence_licence", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pdf", sa.LargeBinary(), nullable=True))
        batch_op.add_column(
            sa.Column("key_id", sa.String(length=16), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("signed_at", ruxue.kit.db.UtcDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("elicence_licence", schema=None) as batch_op:
        batch_op.drop_column("signed_at")
        batch_op.drop_column("key_id")
        batch_op.drop_column("pdf")
