"""provider consents, back-channel logout deliveries, a county client's jwks_uri (generated, then
edited by hand)

Revision ID: f15287ecf1c0
Revises: 5ed9d53ecff4
Create Date: 2026-11-30 00:43:47.182129
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ruxue.kit.db

revision: str = "f15287ecf1c0"
down_revision: str | None = "5ed9d53ecff4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("county_client", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("jwks_uri", sa.String(length=300), nullable=False, server_default="")
        )
    op.create_table(
        "provider_consent",
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column("client_id", sa.String(length=80), nullable=False),
        sa.Column("scopes", sa.String(length=200), nullable=False),
        sa.Column("full_id_number", sa.Boolean(), nullable=False),
        sa.Column("granted_at", ruxue.kit.db.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("subject", "client_id", name=op.f("pk_provider_consent")),
    )
    op.create_table(
        "provider_logout",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("client_id", sa.String(length=80), nullable=False),
        sa.Column("sid", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column("created_at", ruxue.kit.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_at", ruxue.kit.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("claimed_until", ruxue.kit.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("sent_at", ruxue.kit.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("dead_at", ruxue.kit.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=300), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provider_logout")),
    )
    with op.batch_alter_table("provider_logout", schema=None) as batch_op:
        batch_op.create_index(
            "ix_provider_logout_pending", ["sent_at", "dead_at", "next_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("provider_logout", schema=None) as batch_op:
        batch_op.drop_index("ix_provider_logout_pending")

    op.drop_table("provider_logout")
    op.drop_table("provider_consent")
    with op.batch_alter_table("county_client", schema=None) as batch_op:
        batch_op.drop_column("jwks_uri")
