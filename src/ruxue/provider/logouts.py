"""Back-channel logouts, delivered durably. Ending a person's county sessions writes one row per
(county, city session) in that transaction (``service.end_sessions``); a job after the commit, and
a sweep every minute, claim the due rows in a short transaction, post a fresh logout token to each
county with no transaction open, then record the outcome: sent, or a retry after the relay's
backoff with full jitter, or, after ``RUXUE_BACKCHANNEL_MAX_ATTEMPTS``, a dead letter shown on
``/staff/county``. A worker that dies mid-send leaves the rows claimed until the lease ends; a
county may then hear of a logout twice, which ends nothing more."""

import asyncio
import datetime as dt
import secrets
import time
from dataclasses import dataclass

import httpx
import structlog
from joserfc import jwt
from joserfc.jwk import RSAKey
from pydantic import BaseModel
from sqlalchemy import and_, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.county.models import Client
from ruxue.county.relay import revive_row
from ruxue.county.rules import backoff_s
from ruxue.kit import http, pii
from ruxue.kit.clock import utcnow
from ruxue.kit.db import Database, lease_claim
from ruxue.provider import keys
from ruxue.provider.models import LogoutDelivery
from ruxue.settings import Settings

log = structlog.get_logger("provider.logouts")
LEASE_S = 60.0
KEEP_SENT = dt.timedelta(days=7)  # delivered logouts are kept this long, then pruned by the sweep
EVENT = "http://schemas.openid.net/event/backchannel-logout"
BATCH = 50


@dataclass
class Tally:
    sent: int = 0
    failed: int = 0
    dead: int = 0


class DeadLogout(BaseModel):
    id: int
    client_id: str
    attempts: int
    last_error: str
    created_at: dt.datetime
    dead_at: dt.datetime | None


class LogoutState(BaseModel):
    pending: int
    dead: list[DeadLogout]


def logout_token(key: RSAKey, issuer: str, client_id: str, subject: str, sid: str) -> str:
    now = int(time.time())
    claims = {
        "iss": issuer,
        "aud": client_id,
        "iat": now,
        "exp": now + 120,
        "jti": secrets.token_urlsafe(16),
        "sub": pii.pairwise_subject(client_id, subject),  # as the county's ID token said
        "sid": sid,
        "events": {EVENT: {}},
    }
    return jwt.encode({"alg": "RS256", "kid": key.kid, "typ": "logout+jwt"}, claims, key)


async def claim(db: Database, tried: set[int]) -> list[tuple[LogoutDelivery, str]]:
    """Due rows not ``tried`` in this run, leased and counted as an attempt; each with the county's
    logout URI."""
    now = utcnow()
    due = and_(
        LogoutDelivery.id.not_in(tried),
        LogoutDelivery.sent_at.is_(None),
        LogoutDelivery.dead_at.is_(None),
        LogoutDelivery.next_at <= now,
    )
    lease = dt.timedelta(seconds=LEASE_S)
    taken = lease_claim(LogoutDelivery, due, now, lease, BATCH).returning(LogoutDelivery)
    async with db.write_session() as session:
        rows = list((await session.scalars(taken)).all())
        uris = {
            c.client_id: c.backchannel_logout_uri
            for c in await session.scalars(
                select(Client).where(Client.client_id.in_({r.client_id for r in rows}))
            )
        }
    return [(r, uris.get(r.client_id, "")) for r in sorted(rows, key=lambda r: r.id)]


async def deliver(
    db: Database, settings: Settings, transport: httpx.AsyncBaseTransport | None = None
) -> Tally:
    """Send every due logout once; each county's answer is recorded on its own."""
    tally, key, tried = Tally(), keys.current(settings.var_dir), set[int]()
    issuer = settings.public_url.rstrip("/") + "/oidc"
    async with http.client(timeout=5, transport=transport) as client:
        while rows := await claim(db, tried):
            tried.update(r.id for r, _ in rows)  # once per run, however short the backoff
            errors = await asyncio.gather(
                *(
                    _post(client, logout_token(key, issuer, r.client_id, r.subject, r.sid), uri)
                    for r, uri in rows
                )
            )
            outcomes = [(r, e) for (r, _), e in zip(rows, errors, strict=True)]
            await _record(db, settings, outcomes, tally)
    return tally


async def _post(client: httpx.AsyncClient, token: str, uri: str) -> str:
    """The error of one delivery, or "" once the county answered 200 or 204 (Back-Channel
    Logout §2.8: both are success)."""
    if not uri:
        return "no back-channel logout URI registered"
    try:
        answer = await client.post(uri, data={"logout_token": token})
    except httpx.HTTPError as exc:
        return f"{type(exc).__name__}: {exc}"[:300]
    return "" if answer.status_code in (200, 204) else f"HTTP {answer.status_code}"


async def _record(
    db: Database, settings: Settings, outcomes: list[tuple[LogoutDelivery, str]], tally: Tally
) -> None:
    now = utcnow()
    async with db.write_session() as session:
        for row, error in outcomes:
            values: dict[str, object] = {"claimed_until": None, "last_error": error}
            if not error:
                values["sent_at"] = now
                tally.sent += 1
            elif row.attempts >= settings.backchannel_max_attempts:
                values["dead_at"] = now
                tally.dead += 1
            else:
                wait = backoff_s(row.attempts, settings.backchannel_backoff_s)
                values["next_at"] = now + dt.timedelta(seconds=wait)
                tally.failed += 1
            if error:
                log.warning("back-channel logout not delivered", client=row.client_id, error=error)
            await session.execute(
                update(LogoutDelivery)
                .where(  # still our lease: a run that took the row over writes its own outcome
                    LogoutDelivery.id == row.id,
                    LogoutDelivery.claimed_until == row.claimed_until,
                )
                .values(values)
            )


async def prune(db: Database) -> int:
    """Forget logouts delivered more than ``KEEP_SENT`` ago (dead ones stay until sent)."""
    old = delete(LogoutDelivery).where(LogoutDelivery.sent_at < utcnow() - KEEP_SENT)
    async with db.write_session() as session:
        return int((await session.execute(old)).rowcount)  # type: ignore[attr-defined]


async def state(session: AsyncSession, limit: int = 100) -> LogoutState:
    pending = await session.scalar(
        select(func.count())
        .select_from(LogoutDelivery)
        .where(LogoutDelivery.sent_at.is_(None), LogoutDelivery.dead_at.is_(None))
    )
    dead = await session.scalars(
        select(LogoutDelivery)
        .where(LogoutDelivery.dead_at.is_not(None))
        .order_by(LogoutDelivery.id)
        .limit(limit)
    )
    return LogoutState(
        pending=pending or 0,
        dead=[DeadLogout.model_validate(r, from_attributes=True) for r in dead],
    )


async def revive(session: AsyncSession, row_id: int) -> None:
    """The administrator sends a dead logout again (the county is back)."""
    await revive_row(session, LogoutDelivery, row_id, "没有这条未送达的退出通知。")
