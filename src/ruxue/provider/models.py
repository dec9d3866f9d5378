"""The provider's state, in the database so that every ``ruxue serve`` process shares it:
authorization codes (single use), access tokens (as hashes) and which county holds a session of
which person (for back-channel logout)."""

import datetime as dt

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from ruxue.kit.db import Base, BigId, UtcDateTime, utcnow


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


class ProviderToken(Base):
    __tablename__ = "provider_token"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    client_id: Mapped[str] = mapped_column(String(80))
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
