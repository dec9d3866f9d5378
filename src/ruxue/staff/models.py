"""Staff accounts (school desk, district reviewer, city administrator, archivist) and the audit log."""

import datetime as dt

from sqlalchemy import JSON, BigInteger, Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ruxue.kit.clock import utcnow
from ruxue.kit.db import Base, BigId, UtcDateTime


class StaffUser(Base):
    __tablename__ = "staff_user"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(60))
    role: Mapped[str] = mapped_column(String(20))  # desk | reviewer | admin | archivist
    school_code: Mapped[str | None] = mapped_column(String(10))  # desk staff
    district_code: Mapped[str | None] = mapped_column(
        String(6)
    )  # reviewers (and a desk's district)
    password_hash: Mapped[str] = mapped_column(String(200))
    totp_enc: Mapped[str] = mapped_column(String(200))  # SM4-encrypted TOTP secret
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)  # a TOTP code counts once
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class AuditEntry(Base):
    """Every staff action: who, when, what, on which object, why. Never updated: each entry is
    linked to the one before by a hash chain (``seq``, ``prev_hash``, ``entry_hash``)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    seq: Mapped[int] = mapped_column(BigInteger, unique=True)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    staff_id: Mapped[int | None] = mapped_column(Integer, index=True)
    username: Mapped[str] = mapped_column(String(60))
    action: Mapped[str] = mapped_column(String(40))
    target: Mapped[str] = mapped_column(String(80), default="")
    detail: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """The newest audit entry; a removed tail shows as a head with no entry behind it."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(BigInteger)
    entry_hash: Mapped[str] = mapped_column(String(64))
