"""Dashboard aggregates, materialised by a job: reads never scan the cases."""

import datetime as dt

from sqlalchemy import Float, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ruxue.kit.db import Base, BigId, UtcDateTime


class Stat(Base):
    """One figure of one metric for one hour (or none), district, school, channel and key.

    ``hourly`` per hour × district × school × channel (n applications, total automatic decisions),
    ``hourly_d`` the same per district, ``apps`` undated; ``backlog`` (key: age band, total: days waited),
    ``needs_materials``, ``archive`` (key filed | passed | failed), ``rating`` (key: a count of
    ``rating.rules.figures``), ``overdue``; ``dept`` per hour (n calls, total answered) and
    ``dept_latency`` (n p50 ms, total p95 ms)."""

    __tablename__ = "dashboard_stat"
    __table_args__ = (Index("ix_dashboard_stat_scope", "metric", "district_code", "school_code"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    metric: Mapped[str] = mapped_column(String(20))
    bucket: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    district_code: Mapped[str] = mapped_column(String(6), default="")
    school_code: Mapped[str] = mapped_column(String(10), default="")
    channel: Mapped[str] = mapped_column(String(10), default="")
    key: Mapped[str] = mapped_column(String(30), default="")
    n: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[float] = mapped_column(Float, default=0)


class Refresh(Base):
    """When the aggregates were last materialised."""

    __tablename__ = "dashboard_refresh"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    millis: Mapped[float] = mapped_column(Float)
