"""reference: 统筹 lists per school, the seats given (seat_history) and the priority list

Revision ID: b7d2e9c4f1a3
Revises: a1c4e7b9d2f5
Create Date: 2026-12-07 23:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b7d2e9c4f1a3"
down_revision: str | None = "b7e2d4c9a3f1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("school") as batch:
        batch.add_column(
            sa.Column("overflow_to", sa.JSON(), server_default=sa.text("'[]'"), nullable=False)
        )
    op.create_table(
        "seat_history",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("cert_index", sa.String(length=64), nullable=False),
        sa.Column("cert_enc", sa.String(length=200), nullable=False),
        sa.Column("child_index", sa.String(length=64), nullable=False),
        sa.Column("child_enc", sa.String(length=100), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("segment", sa.String(length=10), nullable=False),
        sa.Column("school_code", sa.String(length=10), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("case_id", BIG_ID, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_seat_history")),
    )
    op.create_index("ix_seat_history_cert", "seat_history", ["cert_index", "segment"])
    op.create_index(op.f("ix_seat_history_child_index"), "seat_history", ["child_index"])
    op.create_index(op.f("ix_seat_history_case_id"), "seat_history", ["case_id"])
    op.create_table(
        "priority_child",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("child_index", sa.String(length=64), nullable=False),
        sa.Column("child_enc", sa.String(length=100), nullable=False),
        sa.Column("group_code", sa.String(length=40), nullable=False),
        sa.Column("district_code", sa.String(length=6), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_priority_child")),
    )
    op.create_index("ix_priority_child_child", "priority_child", ["child_index"])


def downgrade() -> None:
    op.drop_index("ix_priority_child_child", table_name="priority_child")
    op.drop_table("priority_child")
    op.drop_index(op.f("ix_seat_history_case_id"), table_name="seat_history")
    op.drop_index(op.f("ix_seat_history_child_index"), table_name="seat_history")
    op.drop_index("ix_seat_history_cert", table_name="seat_history")
    op.drop_table("seat_history")
    with op.batch_alter_table("school") as batch:
        batch.drop_column("overflow_to")
