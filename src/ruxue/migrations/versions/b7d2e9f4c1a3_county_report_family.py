"""county reports: blind indexes of the child and the applicant, so the city finds a family's
county case (data tracker, desk look-up)

Revision ID: b7d2e9f4c1a3
Revises: a1c4e7b9d2f5
Create Date: 2026-12-08 00:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b7d2e9f4c1a3"
down_revision: str | None = "b7d2e4f6a8c1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("case_stage_report") as batch:
        batch.add_column(sa.Column("child_index", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("applicant_index", sa.String(length=64), nullable=True))
        batch.create_index("ix_case_stage_report_child", ["child_index"])
        batch.create_index("ix_case_stage_report_applicant", ["applicant_index"])


def downgrade() -> None:
    with op.batch_alter_table("case_stage_report") as batch:
        batch.drop_index("ix_case_stage_report_applicant")
        batch.drop_index("ix_case_stage_report_child")
        batch.drop_column("applicant_index")
        batch.drop_column("child_index")
