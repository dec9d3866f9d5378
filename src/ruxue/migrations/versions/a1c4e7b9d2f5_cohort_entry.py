"""cohort: a qualified case's entry in its district's cohort

Revision ID: a1c4e7b9d2f5
Revises: f3c6a9b2d8e4
Create Date: 2026-12-07 23:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ruxue.kit.db

revision: str = "a1c4e7b9d2f5"
down_revision: str | None = "f3c6a9b2d8e4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "cohort_entry",
        sa.Column("case_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("district_code", sa.String(length=6), nullable=False),
        sa.Column("segment", sa.String(length=10), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=1), nullable=False),
        sa.Column("school_code", sa.String(length=20), nullable=False),
        sa.Column("candidate", sa.JSON(), nullable=False),
        sa.Column("qualified_at", ruxue.kit.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["enrollment_case.id"],
            name=op.f("fk_cohort_entry_case_id_enrollment_case"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_cohort_entry")),
    )
    op.create_index("ix_cohort_entry_run", "cohort_entry", ["district_code", "segment", "year"])


def downgrade() -> None:
    op.drop_index("ix_cohort_entry_run", table_name="cohort_entry")
    op.drop_table("cohort_entry")
