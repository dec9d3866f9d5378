"""Identity: a guardian's (or spouse's) account at a provider, keyed by (issuer, subject), the ID
number the provider verified kept as a blind index, so a subject cannot change identity; the
spouse's invitations; and sends to third persons, kept to limit how often they go."""

import datetime as dt

from sqlalchemy import Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ruxue.kit.clock import utcnow
from ruxue.kit.db import Base, BigId, UtcDateTime


class SmsSend(Base):
    """One message to a third person, under each key it counts against (a case, a person)."""

    __tablename__ = "sms_send"
    __table_args__ = (Index("ix_sms_send_key_at", "key", "at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(80))  # e.g. case:RX…, person:<blind index>
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class Account(Base):
    __tablename__ = "identity_account"
    __table_args__ = (UniqueConstraint("issuer", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer: Mapped[str] = mapped_column(String(300))
    subject: Mapped[str] = mapped_column(String(255))
    id_index: Mapped[str] = mapped_column(String(64), index=True)  # blind index of the ID number
    first_login_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_login_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class SpouseInvite(Base):
    """The spouse asked (by an SMS link) to log in themselves and consent to the departments being
    asked about them for one case. The link's token is kept as its SHA-256 only."""

    __tablename__ = "spouse_invite"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    case_no: Mapped[str] = mapped_column(String(40), index=True)
    spouse_index: Mapped[str] = mapped_column(String(64))  # blind index of the spouse's ID number
    spouse_enc: Mapped[str] = mapped_column(String(200))
    guardian_name: Mapped[str] = mapped_column(String(50))  # masked, shown to the spouse
    status: Mapped[str] = mapped_column(String(16), default="pending")  # consented, declined, used
    consent_id: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
