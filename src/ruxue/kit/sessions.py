"""Server-side sessions: the cookie holds only a random token; the session lives in a database row
(SM4-encrypted), so a logout, a deactivation or a password change ends it for good, and no key can
forge one. Starlette's ``SessionMiddleware`` keeps the whole session in a signed cookie, which
cannot be revoked, and ``starsessions`` stores cannot list or revoke by staff member; hence this
small middleware with the same ``request.session`` interface (Authlib's login state uses it)."""

import datetime as dt
import hashlib
import json
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from http.cookies import SimpleCookie
from typing import Any

from sqlalchemy import Integer, String, Text, bindparam, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from ruxue.kit import pii
from ruxue.kit.clock import utcnow
from ruxue.kit.csrf import FIELD
from ruxue.kit.db import Base, Database, UtcDateTime

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Any, Any], Awaitable[None]]
COOKIE = "ruxue_session"
LIFETIME = dt.timedelta(hours=2)
ROTATE = "session.rotate"  # scope key: a login asks for a fresh token (no session fixation)


class WebSession(Base):
    __tablename__ = "web_session"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # SHA-256 of the cookie's token
    data_enc: Mapped[str] = mapped_column(Text)
    staff_id: Mapped[int | None] = mapped_column(Integer, index=True)
    # keyed hashes of the identity provider's (iss, sid) and (iss, sub): back-channel logout
    idp_sid: Mapped[str | None] = mapped_column(String(64), index=True)
    idp_sub: Mapped[str | None] = mapped_column(String(64), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)


# what an anonymous page view puts in a session without anything to keep: no row, no cookie (a
# form posted without a session has nothing to ride on, so its token is not checked)
ANONYMOUS = frozenset({FIELD})


def token_id(token: str) -> str:
    """Rows are keyed by the token's hash: a copy of the table gives no live cookie."""
    return hashlib.sha256(token.encode()).hexdigest()


def rotate(scope: Scope) -> None:
    """Give this session a new token when the response is sent (call at login)."""
    scope[ROTATE] = True


def idp_key(issuer: str, value: str) -> str:
    """The key under which a provider's session id or subject is kept on the session row."""
    return pii.blind_index(f"{issuer}|{value}")


def idp_keys(issuer: str, value: str) -> list[str]:
    """The keys a session of this provider value may be kept under (older blind-index keys too)."""
    return pii.blind_indexes(f"{issuer}|{value}") if value else []


async def revoke_idp(session: AsyncSession, sid_keys: list[str], sub_keys: list[str]) -> int:
    """End the sessions of a provider session (sid) or, without one, of a subject (sub)."""
    column, keys = (WebSession.idp_sid, sid_keys) if sid_keys else (WebSession.idp_sub, sub_keys)
    if not keys:
        return 0
    result = await session.execute(delete(WebSession).where(column.in_(keys)))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def revoke_staff(session: AsyncSession, staff_id: int) -> int:
    """End every session of a staff member (deactivation, password change)."""
    result = await session.execute(delete(WebSession).where(WebSession.staff_id == staff_id))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def sessions_of(session: AsyncSession, staff_id: int) -> list[WebSession]:
    query = select(WebSession).where(
        WebSession.staff_id == staff_id, WebSession.expires_at > utcnow()
    )
    return list((await session.scalars(query.order_by(WebSession.created_at))).all())


class ServerSessionMiddleware:
    def __init__(self, app: ASGIApp, https: bool) -> None:
        self.app = app
        self.flags = "; HttpOnly; SameSite=Lax" + ("; Secure" if https else "")

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        db: Database = scope["app"].state.db
        token = _cookie(scope)
        data = await _load(db, token) if token else None
        scope["session"] = dict(data or {})
        before = json.dumps(data, sort_keys=True) if data is not None else None

        async def persist(message: Message) -> None:
            if message["type"] == "http.response.start":
                header = await self._save(db, scope, token if data is not None else None, before)
                if header:
                    message.setdefault("headers", [])
                    message["headers"] = [*message["headers"], (b"set-cookie", header.encode())]
            await send(message)

        await self.app(scope, receive, persist)

    async def _save(self, db: Database, scope: Scope, token: str | None, before: str | None) -> str:
        """Write the session if it changed; the Set-Cookie header to send, or ''."""
        data = scope["session"]
        now = utcnow()
        rotate_it = bool(scope.get(ROTATE))
        if not data or (token is None and set(data) <= ANONYMOUS):
            if token:
                await _delete(db, token)
                return f"{COOKIE}=; Path=/; Max-Age=0{self.flags}"
            return ""
        if token and not rotate_it and json.dumps(data, sort_keys=True) == before:
            return ""
        if token and rotate_it:  # a login: the row moves to a fresh token (one statement)
            fresh = secrets.token_urlsafe(32)
            await _rekey(db, token, fresh, data, now)
            return f"{COOKIE}={fresh}; Path=/; Max-Age={int(LIFETIME.total_seconds())}{self.flags}"
        if token is not None:
            if await _update(db, token, data, now):
                return ""
            return f"{COOKIE}=; Path=/; Max-Age=0{self.flags}"  # revoked meanwhile: stays so
        token = secrets.token_urlsafe(32)
        await _insert(db, token, data, now)
        return f"{COOKIE}={token}; Path=/; Max-Age={int(LIFETIME.total_seconds())}{self.flags}"


def _cookie(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"cookie":
            morsel = SimpleCookie(value.decode("latin-1")).get(COOKIE)
            if morsel and morsel.value:
                return morsel.value
    return None


# read on every request that carries a cookie: one Core statement, compiled once (SQLAlchemy's
# statement cache), no ORM instance
_TABLE = WebSession.__table__
LOAD = select(_TABLE.c.data_enc, _TABLE.c.expires_at).where(_TABLE.c.id == bindparam("id"))


async def _load(db: Database, token: str) -> dict[str, Any] | None:
    row = await db.read_row(LOAD, {"id": token_id(token)})
    if row is None or row.expires_at <= utcnow():
        return None
    return dict(json.loads(pii.decrypt(row.data_enc)))


def _columns(data: dict[str, Any], now: dt.datetime) -> dict[str, Any]:
    staff = data.get("staff")
    oidc = data.get("oidc")
    oidc = oidc if isinstance(oidc, dict) else {}
    return {
        "data_enc": pii.encrypt(json.dumps(data)),
        "staff_id": staff.get("id") if isinstance(staff, dict) else None,
        "idp_sid": oidc.get("sid_key") or None,
        "idp_sub": oidc.get("sub_key") or None,
        "expires_at": now + LIFETIME,
    }


async def _insert(db: Database, token: str, data: dict[str, Any], now: dt.datetime) -> None:
    """A new session: the only place a row is created (a fresh token, never a revoked one)."""
    async with db.write_session() as session:
        session.add(WebSession(id=token_id(token), created_at=now, **_columns(data, now)))


async def _update(db: Database, token: str, data: dict[str, Any], now: dt.datetime) -> bool:
    """Save an existing session; False if its row is gone (logged out or revoked while this
    request ran): a committed revocation is final, the row is never made again."""
    statement = update(WebSession).where(WebSession.id == token_id(token))
    async with db.write_session() as session:
        result = await session.execute(statement.values(**_columns(data, now)))
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def _rekey(
    db: Database, token: str, fresh: str, data: dict[str, Any], now: dt.datetime
) -> None:
    """The session under a new token: the old token ends; a row revoked meanwhile is made anew
    (a login makes a session whatever the old one was)."""
    statement = update(WebSession).where(WebSession.id == token_id(token))
    values = {"id": token_id(fresh), "created_at": now, **_columns(data, now)}
    async with db.write_session() as session:
        if not (await session.execute(statement.values(**values))).rowcount:  # type: ignore[attr-defined]
            session.add(WebSession(**values))


async def _delete(db: Database, token: str) -> None:
    async with db.write_session() as session:
        await session.execute(delete(WebSession).where(WebSession.id == token_id(token)))
