"""audit log hash chain

The audit log becomes append-only and hash-chained like the call log; existing entries are chained
in the order they were written.

Revision ID: e5bffc6551c9
Revises: 3ed8f74329d2
Create Date: 2026-11-29 21:57:00.090162
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from ruxue.kit.chain import GENESIS, entry_hash
from ruxue.kit.db import UtcDateTime

revision: str = "e5bffc6551c9"
down_revision: str | None = "3ed8f74329d2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# the hashed fields as of this revision (``staff.service.AUDIT_FIELDS``)
FIELDS = ("seq", "at", "staff_id", "username", "action", "target", "detail", "prev_hash")


def upgrade() -> None:
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("entry_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seq", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("entry_hash", sa.String(length=64), nullable=True))
    _chain_existing_entries()
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        for column in ("seq", "prev_hash", "entry_hash"):
            batch_op.alter_column(column, nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_audit_log_seq"), ["seq"])


def _chain_existing_entries() -> None:
    """Entries written before the chain existed are chained in the order they were written."""
    log = sa.table(
        "audit_log",
        *(sa.column(c) for c in ("id", "staff_id", "username", "action", "target", "prev_hash")),
        sa.column("at", UtcDateTime()),
        sa.column("detail", sa.JSON()),
        sa.column("seq", sa.BigInteger()),
        sa.column("entry_hash", sa.String()),
    )
    bind = op.get_bind()
    prev, seq = GENESIS, 0
    for row in bind.execute(sa.select(log).order_by(log.c.id)).mappings().all():
        seq += 1
        entry = {**row, "seq": seq, "prev_hash": prev}
        prev = entry_hash(entry, FIELDS)
        values = {"seq": seq, "prev_hash": entry["prev_hash"], "entry_hash": prev}
        bind.execute(log.update().where(log.c.id == row["id"]).values(**values))
    if seq:
        head = sa.table("audit_head", sa.column("id"), sa.column("seq"), sa.column("entry_hash"))
        bind.execute(head.insert().values(id=1, seq=seq, entry_hash=prev))


def downgrade() -> None:
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_audit_log_seq"), type_="unique")
        batch_op.drop_column("entry_hash")
        batch_op.drop_column("prev_hash")
        batch_op.drop_column("seq")

    op.drop_table("audit_head")
