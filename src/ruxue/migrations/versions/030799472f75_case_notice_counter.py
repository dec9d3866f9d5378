"""case notice counter: a seat notice issued again after a revocation gets a number of its own
(its e-licence too); cases count the notices they had, from their licence rows

Revision ID: 030799472f75
Revises: b7d4e1a09c52
Create Date: 2026-11-30 04:06:14.981303
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "030799472f75"
down_revision: str | None = "b7d4e1a09c52"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("enrollment_case", schema=None) as batch_op:
        batch_op.add_column(sa.Column("notices", sa.Integer(), server_default="0", nullable=False))
    op.execute(
        "UPDATE enrollment_case SET notices = (SELECT count(*) FROM elicence_licence"
        " WHERE elicence_licence.case_id = enrollment_case.id)"
    )
    # a notice from before the e-licence rows (or whose row is missing) still counts
    op.execute("UPDATE enrollment_case SET notices = 1 WHERE notices = 0 AND notice_no IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table("enrollment_case", schema=None) as batch_op:
        batch_op.drop_column("notices")
