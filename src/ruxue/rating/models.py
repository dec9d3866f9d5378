"""Ratings (好差评), the desk's one-time hand-over tokens, and rectification items of bad ratings."""

import datetime as dt

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ruxue.kit.clock import utcnow
from ruxue.kit.db import Base, BigId, UtcDateTime


class Rating(Base):
    """One rating per case and channel (online 一事一评, desk 一次一评); changed in place."""

    __tablename__ = "rating"
    __table_args__ = (UniqueConstraint("case_id", "channel", name="uq_rating_case_channel"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("enrollment_case.id"), index=True)
    channel: Mapped[str] = mapped_column(String(10))  # online | desk
    level: Mapped[int] = mapped_column(Integer)
    indicators: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    comment: Mapped[str] = mapped_column(Text, default="")
    real_name: Mapped[bool] = mapped_column(Boolean, default=True)
    district_code: Mapped[str] = mapped_column(String(6), index=True, default="")
    school_code: Mapped[str] = mapped_column(String(10), index=True, default="")
    rated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    changed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    changes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # in the window
    reopened: Mapped[bool] = mapped_column(Boolean, default=False)  # answered: may be rated again


class RatingToken(Base):
    """The desk's hand-over screen: a one-time token (only its hash is kept) for one case."""

    __tablename__ = "rating_token"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("enrollment_case.id"))
    staff_id: Mapped[int] = mapped_column(Integer)
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class Rectification(Base):
    """A bad rating's work order: 回访核实 → 整改 → 答复 → re-rating; or 申诉复核."""

    __tablename__ = "rating_rectification"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    rating_id: Mapped[int] = mapped_column(ForeignKey("rating.id"), unique=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("enrollment_case.id"), index=True)
    district_code: Mapped[str] = mapped_column(String(6), index=True, default="")
    school_code: Mapped[str] = mapped_column(String(10), index=True, default="")
    # open | visited | fixed | replied | closed | appealed | set_aside | withdrawn
    status: Mapped[str] = mapped_column(String(12), default="open", index=True)
    round: Mapped[int] = mapped_column(Integer, default=1)
    opened_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    contact_due: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    fix_due: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    visited_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    fixed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    replied_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    escalation: Mapped[int] = mapped_column(Integer, default=0)  # 0 none, 1 district, 2+ city
    work_order_no: Mapped[str | None] = mapped_column(String(40))
    appeal_reason: Mapped[str] = mapped_column(Text, default="")
    history: Mapped[list[dict[str, object]]] = mapped_column(JSON, default=list)
