"""Guardianship requests (监护关系核验申请) of people who are not a parent, and their history."""

import datetime as dt

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ruxue.kit.clock import utcnow
from ruxue.kit.db import Base, BigId, UtcDateTime


class GuardianshipRequest(Base):
    """Someone other than a parent asks to act for a child; a district reviewer decides. It never
    holds the child's one case: that stays free for a parent."""

    __tablename__ = "guardianship_request"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    request_no: Mapped[str] = mapped_column(String(40), unique=True)
    applicant_index: Mapped[str] = mapped_column(String(64), index=True)
    applicant_enc: Mapped[str] = mapped_column(String(200))
    applicant_name_masked: Mapped[str] = mapped_column(String(40), default="")
    phone_enc: Mapped[str] = mapped_column(String(200), default="")
    child_index: Mapped[str] = mapped_column(String(64), index=True)
    child_enc: Mapped[str] = mapped_column(String(200))
    child_name_masked: Mapped[str] = mapped_column(String(40), default="")  # for reviewers only
    district_code: Mapped[str] = mapped_column(String(6), index=True)
    relationship: Mapped[str] = mapped_column(String(20))
    # what the reviewer found in the documents (policy.facts.BASES): decides how the guardian applies
    basis: Mapped[str] = mapped_column(String(20), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    reason: Mapped[str] = mapped_column(Text, default="")  # the reviewer's
    consent_id: Mapped[str] = mapped_column(String(40), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class GuardianshipEvent(Base):
    """The history of one request: filed, parents told, decided. Never updated."""

    __tablename__ = "guardianship_event"
    __table_args__ = (UniqueConstraint("request_id", "seq", name="uq_guardianship_event_seq"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("guardianship_request.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(40))
    detail: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)


class GuardianshipDocument(Base):
    """A document the applicant uploaded for the reviewer (a court order, a hukou page …)."""

    __tablename__ = "guardianship_document"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("guardianship_request.id"), index=True)
    filename: Mapped[str] = mapped_column(String(200), default="")
    content_type: Mapped[str] = mapped_column(String(60), default="")
    size: Mapped[int] = mapped_column(Integer, default=0)
    sha256: Mapped[str] = mapped_column(String(64), default="")
    path: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
