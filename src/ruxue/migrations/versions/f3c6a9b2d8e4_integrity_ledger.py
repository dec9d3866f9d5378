"""audit: the integrity ledger, one hash chain over the records a family's rights depend on

Revision ID: f3c6a9b2d8e4
Revises: e8a3f5d1c7b2
Create Date: 2026-12-07 21:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ruxue.kit.db

revision: str = "f3c6a9b2d8e4"
down_revision: str | None = "e8a3f5d1c7b2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "integrity_entry",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("record_key", sa.String(length=200), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("at", ruxue.kit.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("entry_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_integrity_entry")),
        sa.UniqueConstraint("seq", name="uq_integrity_entry_seq"),
    )
    op.create_index("ix_integrity_entry_record", "integrity_entry", ["kind", "record_key"])
    op.create_table(
        "integrity_head",
        sa.Column("chain", sa.String(length=30), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("entry_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("chain", name=op.f("pk_integrity_head")),
    )


def downgrade() -> None:
    op.drop_table("integrity_head")
    op.drop_index("ix_integrity_entry_record", table_name="integrity_entry")
    op.drop_table("integrity_entry")
