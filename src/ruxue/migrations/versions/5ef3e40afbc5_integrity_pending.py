"""audit: the integrity ledger's pending digests, written by each write transaction (one INSERT,
no head lock) and chained later by the chainers

Revision ID: 5ef3e40afbc5
Revises: c5e8a2d4f7b1
Create Date: 2026-12-08 03:15:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ruxue.kit.db

revision: str = "5ef3e40afbc5"
down_revision: str | None = "c5e8a2d4f7b1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "integrity_pending",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("record_key", sa.String(length=200), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("at", ruxue.kit.db.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_integrity_pending")),
    )


def downgrade() -> None:
    # digests still pending are lost with the table: run ``ruxue audit chain`` first
    op.drop_table("integrity_pending")
