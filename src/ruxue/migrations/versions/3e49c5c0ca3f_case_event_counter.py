"""case event counter: the next trace event's number without a max(seq) look-up; an index for
the look-up of a child's case (the partial unique index does not serve it)

Revision ID: 3e49c5c0ca3f
Revises: f15287ecf1c0
Create Date: 2026-11-30 00:47:24.654756
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3e49c5c0ca3f"
down_revision: str | None = "f15287ecf1c0"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("enrollment_case", schema=None) as batch_op:
        batch_op.add_column(sa.Column("events", sa.Integer(), server_default="0", nullable=False))
        batch_op.create_index("ix_case_child_index", ["child_index"], unique=False)
    op.execute(
        "UPDATE enrollment_case SET events = (SELECT coalesce(max(seq), 0) FROM case_event"
        " WHERE case_event.case_id = enrollment_case.id)"
    )


def downgrade() -> None:
    with op.batch_alter_table("enrollment_case", schema=None) as batch_op:
        batch_op.drop_index("ix_case_child_index")
        batch_op.drop_column("events")
