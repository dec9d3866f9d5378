"""county enrollment url: a county client that runs enrollment for its district, and where its
guardians apply (the city then starts no case for that district)

Revision ID: b7d4e1a09c52
Revises: 3e49c5c0ca3f
Create Date: 2026-12-01 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b7d4e1a09c52"
down_revision: str | None = "3e49c5c0ca3f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("county_client", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("enrollment_url", sa.String(length=300), server_default="", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("county_client", schema=None) as batch_op:
        batch_op.drop_column("enrollment_url")
