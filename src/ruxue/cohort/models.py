"""A qualified case's place in its district's cohort: what the run ranks it by (``cohort.md``).

Written when the rules qualify a case (``placement = allocation``), read by the run. The run's own
tables (runs, placements, published lines) live beside it."""

import datetime as dt

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ruxue.kit.clock import utcnow
from ruxue.kit.db import Base, BigId, UtcDateTime


class CohortEntry(Base):
    """One qualified case: its category, catchment school and rank facts (a ``Candidate``)."""

    __tablename__ = "cohort_entry"
    __table_args__ = (Index("ix_cohort_entry_run", "district_code", "segment", "year"),)

    case_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("enrollment_case.id", ondelete="CASCADE"), primary_key=True
    )
    district_code: Mapped[str] = mapped_column(String(6))
    segment: Mapped[str] = mapped_column(String(10))
    year: Mapped[int] = mapped_column(Integer)
    category: Mapped[str] = mapped_column(String(1))
    school_code: Mapped[str] = mapped_column(String(20))  # the catchment school
    # ``cohort.repository.candidate_json``: dates as ISO strings, the child's ID number encrypted
    candidate: Mapped[dict[str, object]] = mapped_column(JSON)
    qualified_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(timezone=True), default=utcnow)
