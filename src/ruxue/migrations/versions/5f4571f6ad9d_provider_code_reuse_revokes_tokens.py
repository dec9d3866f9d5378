"""provider: a used authorization code is kept (used_at) and the tokens it gave name it, so that a
second use revokes them; a token names its person, so that a withdrawn consent revokes them

Revision ID: 5f4571f6ad9d
Revises: 030799472f75
Create Date: 2026-11-30 03:51:52.415901
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ruxue.kit.db

revision: str = "5f4571f6ad9d"
down_revision: str | None = "030799472f75"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("provider_code", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("used_at", ruxue.kit.db.UtcDateTime(timezone=True), nullable=True)
        )
    with op.batch_alter_table("provider_token", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("subject", sa.String(length=64), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("code_hash", sa.String(length=64), nullable=False, server_default="")
        )
        batch_op.create_index(batch_op.f("ix_provider_token_code_hash"), ["code_hash"])
        batch_op.create_index(batch_op.f("ix_provider_token_subject"), ["subject"])


def downgrade() -> None:
    with op.batch_alter_table("provider_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_provider_token_subject"))
        batch_op.drop_index(batch_op.f("ix_provider_token_code_hash"))
        batch_op.drop_column("code_hash")
        batch_op.drop_column("subject")
    with op.batch_alter_table("provider_code", schema=None) as batch_op:
        batch_op.drop_column("used_at")
