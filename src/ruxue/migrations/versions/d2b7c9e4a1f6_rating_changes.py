"""rating: count a rating's changes within the change window (one allowed)

Revision ID: d2b7c9e4a1f6
Revises: c4a8e2f1b9d3
Create Date: 2026-12-07 21:25:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "d2b7c9e4a1f6"
down_revision: str | None = "c4a8e2f1b9d3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("rating", schema=None) as batch_op:
        batch_op.add_column(sa.Column("changes", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("rating", schema=None) as batch_op:
        batch_op.drop_column("changes")
