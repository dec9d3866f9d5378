"""county: one owning client and district per reported case number

Revision ID: b7e2d4c9a3f1
Revises: a1c4e7b9d2f5
Create Date: 2026-12-07 23:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import ruxue.kit.db

revision: str = "b7e2d4c9a3f1"
down_revision: str | None = "b3e9d6f2a8c1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# the owner of a number already reported: the client of its earliest received report
BACKFILL = """
INSERT INTO county_case_owner (case_no, client_id, district_code, claimed_at)
SELECT r.case_no, r.client_id, r.district_code, r.received_at
FROM case_stage_report r
WHERE r.id = (SELECT MIN(o.id) FROM case_stage_report o WHERE o.case_no = r.case_no)
"""


def upgrade() -> None:
    op.create_table(
        "county_case_owner",
        sa.Column("case_no", sa.String(length=40), nullable=False),
        sa.Column("client_id", sa.String(length=80), nullable=False),
        sa.Column("district_code", sa.String(length=6), nullable=False),
        sa.Column("claimed_at", ruxue.kit.db.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("case_no", name=op.f("pk_county_case_owner")),
    )
    op.execute(BACKFILL)


def downgrade() -> None:
    op.drop_table("county_case_owner")
