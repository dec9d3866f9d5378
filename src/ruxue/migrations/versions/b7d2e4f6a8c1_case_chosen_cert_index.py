"""cases: an index on the chosen property, for the cohort's same-year and seat-lock look-ups

Revision ID: b7d2e4f6a8c1
Revises: a1c4e7b9d2f5
Create Date: 2026-12-07 23:50:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "b7d2e4f6a8c1"
down_revision: str | None = "b7d2e9c4f1a3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        op.f("ix_enrollment_case_chosen_cert"), "enrollment_case", ["chosen_cert"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_enrollment_case_chosen_cert"), table_name="enrollment_case")
