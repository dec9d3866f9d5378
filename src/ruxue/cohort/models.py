"""A qualified case's place in its district's cohort: what the run ranks it by (``cohort.md``).

Written when the rules qualify a case (``placement = allocation``), read by the run. The run's own
tables (runs, placements, published lines) live beside it."""

import datetime as dt

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ruxue.kit.clock import utcnow
from ruxue.kit.db import Base, BigId, UtcDateTime

PLACING, PUBLISHED = "placing", "published"


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


class CohortRun(Base):
    """A published run of one district, segment and year. Written with its lines and placements
    in one transaction; ``status`` "placing" until every placement is done, then "published".
    A second run of the same district, segment and year is refused by the unique key."""

    __tablename__ = "cohort_run"
    __table_args__ = (UniqueConstraint("district_code", "segment", "year"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    district_code: Mapped[str] = mapped_column(String(6))
    segment: Mapped[str] = mapped_column(String(10))
    year: Mapped[int] = mapped_column(Integer)
    seed: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(10), default=PLACING)
    actor: Mapped[str] = mapped_column(String(80))  # who published: "cli:…" or "staff:…"
    started_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(timezone=True))
    published_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime(timezone=True))


class CohortLine(Base):
    """A school's published result: the public part of a run, no personal data."""

    __tablename__ = "cohort_line"

    run_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("cohort_run.id", ondelete="CASCADE"), primary_key=True
    )
    school_code: Mapped[str] = mapped_column(String(20), primary_key=True)
    capacity: Mapped[int] = mapped_column(Integer)
    taken_before: Mapped[int] = mapped_column(Integer)
    by_category: Mapped[dict[str, int]] = mapped_column(JSON)
    line: Mapped[str | None] = mapped_column(String(80))  # 录取线
    full: Mapped[bool] = mapped_column(Boolean)
    overflow_in: Mapped[int] = mapped_column(Integer)
    overflow_out: Mapped[int] = mapped_column(Integer)
    unplaced: Mapped[int] = mapped_column(Integer)


class CohortPlacement(Base):
    """Where the run (or a late placement) put one case; ``placed_at`` is set once the case has
    moved, so a resumed publication skips it. With the case's status, the record of the seats
    this system placed (the seat history's own rows are another branch's)."""

    __tablename__ = "cohort_placement"
    __table_args__ = (Index("ix_cohort_placement_run", "run_id", "placed_at"),)

    case_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("enrollment_case.id", ondelete="CASCADE"), primary_key=True
    )
    run_id: Mapped[int] = mapped_column(BigId, ForeignKey("cohort_run.id", ondelete="CASCADE"))
    school_code: Mapped[str | None] = mapped_column(String(20))  # None: NO_SEAT
    placement: Mapped[str | None] = mapped_column(String(10))  # catchment | overflow
    reason: Mapped[str | None] = mapped_column(String(20))  # NO_SEAT
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    placed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime(timezone=True))
