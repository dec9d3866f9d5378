"""The provider's reads and writes around Authlib: clients, codes consumed once, tokens, the county
sessions of a person (ended with the logouts to deliver), the consents people gave."""

import datetime as dt
import json
from typing import Any

from joserfc import jwt
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.county.auth import secret_hash
from ruxue.county.models import Client
from ruxue.kit import pii
from ruxue.kit.db import enqueue_after_commit, locked_row, utcnow
from ruxue.kit.errors import RuxueError
from ruxue.kit.sessions import WebSession
from ruxue.provider import rules
from ruxue.provider.models import (
    AuthorizationCode,
    Consent,
    CountySession,
    LogoutDelivery,
    ProviderToken,
)
from ruxue.provider.server import TOKEN_TTL_S, Code
from ruxue.provider.tasks import tell_counties

COLUMNS = [c.key for c in AuthorizationCode.__table__.c]


async def clients(session: AsyncSession, client_id: str) -> list[Client]:
    found = await session.get(Client, client_id) if client_id else None
    return [found] if found is not None else []


async def save_codes(session: AsyncSession, codes: list[Code]) -> None:
    for c in codes:
        session.add(AuthorizationCode(**{k: getattr(c, k) for k in COLUMNS}))
        session.add(CountySession(sid=c.user["sid"], subject=c.user["sub"], client_id=c.client_id))
    await session.flush()


async def consume_code(session: AsyncSession, code: str) -> Code | None:
    """The code, deleted in the same statement: a second use finds nothing."""
    taken = (
        delete(AuthorizationCode).where(AuthorizationCode.code == code).returning(AuthorizationCode)
    )
    row = (await session.scalars(taken)).one_or_none()
    if row is None:
        return None
    return Code(**{k: getattr(row, k) for k in COLUMNS})


async def save_tokens(session: AsyncSession, tokens: list[tuple[dict[str, Any], Any]]) -> None:
    for token, request in tokens:
        session.add(
            ProviderToken(
                token_hash=secret_hash(token["access_token"]),
                client_id=request.client.get_client_id(),
                scope=token.get("scope", ""),
                user=request.user,
                expires_at=utcnow() + dt.timedelta(seconds=TOKEN_TTL_S),
            )
        )
    await session.flush()


async def token_of(session: AsyncSession, bearer: str) -> ProviderToken | None:
    row = await session.get(ProviderToken, secret_hash(bearer)) if bearer else None
    return row if row is not None and row.expires_at > utcnow() else None


def check_hint(id_token: str, keys: dict[str, Any], issuer: str) -> dict[str, Any]:
    """The claims of an ID token this provider issued (signature, issuer; expiry not required:
    an expired ID token is still a fine hint of whom to log out)."""
    try:
        key_set = KeySet.import_key_set(keys)  # type: ignore[arg-type]
        claims = jwt.decode(id_token, key_set, registry=JWSRegistry(algorithms=["RS256"])).claims
    except Exception:  # any failure to decode or verify is the same answer
        raise RuxueError("id_token_hint 无效。", code="invalid_request") from None
    if claims.get("iss") != issuer:
        raise RuxueError("id_token_hint 不是本平台签发的。", code="invalid_request")
    return claims


async def end_sessions(session: AsyncSession, subject: str) -> int:
    """Delete every county session of the person and, in the same transaction, a logout to deliver
    for each (county, city session) with a back-channel logout URI; sent after the commit."""
    rows = (
        await session.scalars(
            delete(CountySession).where(CountySession.subject == subject).returning(CountySession)
        )
    ).all()
    told: set[tuple[str, str]] = set()
    for row in rows:
        client = await session.get(Client, row.client_id)
        if client is not None and client.backchannel_logout_uri:
            told.add((row.client_id, row.sid))
    for client_id, sid in sorted(told):
        session.add(LogoutDelivery(client_id=client_id, sid=sid, subject=subject))
    if told:
        await session.flush()
        enqueue_after_commit(session, tell_counties)
    return len(told)


async def people_of_idp_sessions(
    session: AsyncSession, sid_keys: list[str], sub_keys: list[str]
) -> list[str]:
    """The encrypted ID numbers of the guardians in the city sessions a provincial logout is about
    to end (read before they are deleted), so that their county sessions end too. Keys: the
    current and, during a key rotation, the old blind index (``kit/sessions.idp_keys``)."""
    column, keys = (WebSession.idp_sid, sid_keys) if sid_keys else (WebSession.idp_sub, sub_keys)
    if not keys:
        return []
    rows = (await session.scalars(select(WebSession).where(column.in_(keys)))).all()
    found = (json.loads(pii.decrypt(r.data_enc)).get("guardian") for r in rows)
    return sorted({str(g["id"]) for g in found if g})


async def consent_of(
    session: AsyncSession, subject: str, client_id: str
) -> tuple[str, bool] | None:
    """The scopes this person agreed to give this client, and whether in full, if ever."""
    row = await session.get(Consent, (subject, client_id))
    return (row.scopes, row.full_id_number) if row is not None else None


async def remember_consent(session: AsyncSession, subject: str, client: Client, scope: str) -> None:
    """Agreed: the consent grows by ``scope`` (one row per person and client, locked: two tabs
    agreeing at once do not collide)."""
    key = {"subject": subject, "client_id": client.client_id}
    row = await locked_row(session, Consent, key, {"scopes": "", "full_id_number": False})
    row.scopes = rules.merged(scope, (row.scopes, row.full_id_number))
    row.full_id_number = client.full_id_number
    row.granted_at = utcnow()
    await session.flush()
