"""notification claims

A sender claims a pending notification (who, until when) before it calls the SMS gateway, so two
senders never send the same message and no transaction stays open across the gateway's answer.

Revision ID: 5c1d7e2a9f30
Revises: 727dce8774c6
Create Date: 2026-11-29 22:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ruxue.kit.db

revision: str = "5c1d7e2a9f30"
down_revision: str | None = "727dce8774c6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claimed_by", sa.String(length=40), nullable=True))
        batch_op.add_column(
            sa.Column("claimed_until", ruxue.kit.db.UtcDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_column("claimed_until")
        batch_op.drop_column("claimed_by")
