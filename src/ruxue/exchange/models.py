"""Consent records and the append-only, hash-chained call log."""

import datetime as dt

from sqlalchemy import JSON, BigInteger, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ruxue.kit.clock import utcnow
from ruxue.kit.db import Base, BigId, UtcDateTime


class Consent(Base):
    """Who authorised which departments to be asked about whom, why, until when."""

    __tablename__ = "consent"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    grantor_index: Mapped[str] = mapped_column(String(64), index=True)  # blind index of the grantor
    grantor_enc: Mapped[str] = mapped_column(String(200))
    subjects_index: Mapped[list[str]] = mapped_column(JSON)  # blind indexes of the data subjects
    subjects_enc: Mapped[list[str]] = mapped_column(JSON)
    departments: Mapped[list[str]] = mapped_column(JSON)
    fields: Mapped[list[str]] = mapped_column(JSON)
    purpose: Mapped[str] = mapped_column(String(40))
    case_no: Mapped[str | None] = mapped_column(String(40), index=True)
    channel: Mapped[str] = mapped_column(String(20), default="online")
    granted_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class CallLogEntry(Base):
    """One request to a department and its outcome. Never updated, never deleted."""

    __tablename__ = "exchange_call"
    __table_args__ = (UniqueConstraint("chain", "seq"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    chain: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(BigInteger)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    client_id: Mapped[str] = mapped_column(String(64))
    request_id: Mapped[str] = mapped_column(String(36), unique=True)
    case_no: Mapped[str] = mapped_column(String(40), index=True)
    operator: Mapped[str] = mapped_column(String(64))
    consent_ids: Mapped[list[str]] = mapped_column(JSON)
    purpose: Mapped[str] = mapped_column(String(40))
    service: Mapped[str] = mapped_column(String(60))
    version: Mapped[str] = mapped_column(String(10))
    department: Mapped[str] = mapped_column(String(20))
    subjects: Mapped[list[str]] = mapped_column(JSON)  # blind indexes of the persons asked about
    fields: Mapped[list[str]] = mapped_column(JSON)
    request_hash: Mapped[str] = mapped_column(String(64))
    response_hash: Mapped[str | None] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(20))
    status: Mapped[int | None] = mapped_column(Integer)
    attempts: Mapped[int] = mapped_column(Integer)
    latency_ms: Mapped[float] = mapped_column(Float)
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64))


class CallLogHead(Base):
    """The newest entry of each chain; a deleted tail shows as a head with no entry behind it."""

    __tablename__ = "exchange_call_head"

    chain: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(BigInteger)
    entry_hash: Mapped[str] = mapped_column(String(64))


class CallSubject(Base):
    """Finds the calls about one person (the data tracker) without scanning the log."""

    __tablename__ = "exchange_call_subject"

    call_id: Mapped[int] = mapped_column(ForeignKey("exchange_call.id"), primary_key=True)
    subject_index: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)
