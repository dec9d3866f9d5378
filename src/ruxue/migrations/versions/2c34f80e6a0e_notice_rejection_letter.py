"""notice: keep the 不予通过告知书 as rendered once

Revision ID: 2c34f80e6a0e
Revises: 5ef3e40afbc5
Create Date: 2026-12-08 03:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ruxue.kit.db

revision: str = "2c34f80e6a0e"
down_revision: str | None = "5ef3e40afbc5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "notice_rejection_letter",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("case_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("rejection_no", sa.String(length=40), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.Column("pdf_sm3", sa.String(length=64), nullable=False),
        sa.Column("rendered_at", ruxue.kit.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["enrollment_case.id"], name=op.f("fk_notice_rejection_letter_case_id_enrollment_case")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notice_rejection_letter")),
        sa.UniqueConstraint("case_id", name=op.f("uq_notice_rejection_letter_case_id")),
    )  # fmt: skip


def downgrade() -> None:
    op.drop_table("notice_rejection_letter")
