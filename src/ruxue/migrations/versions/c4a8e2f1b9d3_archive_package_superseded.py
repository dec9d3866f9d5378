"""archive: a case may have several packages, one per filed state; a revoked notice's package is
marked superseded (superseded_at) and kept

Revision ID: c4a8e2f1b9d3
Revises: 5f4571f6ad9d
Create Date: 2026-12-07 21:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ruxue.kit.db

revision: str = "c4a8e2f1b9d3"
down_revision: str | None = "5f4571f6ad9d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("archive_package", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("superseded_at", ruxue.kit.db.UtcDateTime(timezone=True), nullable=True)
        )
        batch_op.drop_constraint("uq_archive_package_case_id", type_="unique")
        batch_op.create_index(batch_op.f("ix_archive_package_case_id"), ["case_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("archive_package", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_archive_package_case_id"))
        batch_op.create_unique_constraint("uq_archive_package_case_id", ["case_id"])
        batch_op.drop_column("superseded_at")
