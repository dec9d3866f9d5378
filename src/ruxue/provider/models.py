"""The provider's state, in the database so that every ``ruxue serve`` process shares it:
authorization codes (single use; a used one is kept until its tokens expire, so that a second use
revokes them), access tokens (as hashes) and which county holds a session of
which person (for back-channel logout), the consents people gave, and the logouts still to tell."""

import datetime as dt

from sqlalchemy import JSON, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ruxue.kit.clock import utcnow
from ruxue.kit.db import Base, BigId, UtcDateTime


class AuthorizationCode(Base):
    __tablename__ = "provider_code"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    client_id: Mapped[str] = mapped_column(String(80))
    redirect_uri: Mapped[str] = mapped_column(String(300))
    scope: Mapped[str] = mapped_column(String(200))
    nonce: Mapped[str | None] = mapped_column(String(200))
    code_challenge: Mapped[str | None] = mapped_column(String(200))
    code_challenge_method: Mapped[str | None] = mapped_column(String(10))
    user: Mapped[dict[str, object]] = mapped_column(JSON)  # encrypted ID number, name, acr, sid
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class ProviderToken(Base):
    __tablename__ = "provider_token"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    client_id: Mapped[str] = mapped_column(String(80))
    subject: Mapped[str] = mapped_column(String(64), index=True, default="")
    code_hash: Mapped[str] = mapped_column(String(64), index=True, default="")  # issued from
    scope: Mapped[str] = mapped_column(String(200))
    user: Mapped[dict[str, object]] = mapped_column(JSON)
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class CountySession(Base):
    """A county client logged a person in through the city, within the city session ``sid``."""

    __tablename__ = "provider_session"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    sid: Mapped[str] = mapped_column(String(64), index=True)
    subject: Mapped[str] = mapped_column(String(64), index=True)
    client_id: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class Consent(Base):
    """What a person agreed a county client may have: the scopes (the union of every grant) and
    whether the client then got the ID number in full. Asked again when a login asks for more."""

    __tablename__ = "provider_consent"

    subject: Mapped[str] = mapped_column(String(64), primary_key=True)
    client_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    scopes: Mapped[str] = mapped_column(String(200))
    full_id_number: Mapped[bool] = mapped_column(default=False)
    granted_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class LogoutDelivery(Base):
    """A back-channel logout still to be told to a county, written in the transaction that ended
    its session; a job sends it after the commit and retries with backoff until
    ``RUXUE_BACKCHANNEL_MAX_ATTEMPTS``, after which it is dead (shown on ``/staff/county``)."""

    __tablename__ = "provider_logout"
    __table_args__ = (Index("ix_provider_logout_pending", "sent_at", "dead_at", "next_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    client_id: Mapped[str] = mapped_column(String(80))
    sid: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    claimed_until: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    dead_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str] = mapped_column(String(300), default="")
