"""staff login codes once, rate counters

A TOTP code counts once (the last used time step is kept); the account lock anyone could trigger
gives way to rate limits per address and per name, counted in rate_counter.

Revision ID: 3ed8f74329d2
Revises: 02fdf6c3a76a
Create Date: 2026-11-29 21:54:08.077728
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ruxue.kit.db

revision: str = "3ed8f74329d2"
down_revision: str | None = "02fdf6c3a76a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rate_counter",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("window_start", ruxue.kit.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_rate_counter")),
    )
    with op.batch_alter_table("staff_user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("totp_last_step", sa.BigInteger(), nullable=True))
        batch_op.drop_column("locked_until")
        batch_op.drop_column("failed_logins")


def downgrade() -> None:
    with op.batch_alter_table("staff_user", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("failed_logins", sa.INTEGER(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("locked_until", sa.DATETIME(), nullable=True))
        batch_op.drop_column("totp_last_step")

    op.drop_table("rate_counter")
