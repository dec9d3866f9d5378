"""guardianship: the basis a reviewer records when approving a request

Revision ID: c5e8a2d4f7b1
Revises: 3339498d5534
Create Date: 2026-12-07 23:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c5e8a2d4f7b1"
down_revision: str | None = "3339498d5534"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("guardianship_request") as batch:
        batch.add_column(
            sa.Column("basis", sa.String(length=20), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("guardianship_request") as batch:
        batch.drop_column("basis")
