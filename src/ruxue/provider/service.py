"""The provider's reads and writes around Authlib: clients, the county sessions of a person (ended
with the logouts to deliver), the consents people gave. Codes and tokens: ``grants.py``."""

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from joserfc import jwt
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.county.models import Client
from ruxue.kit import pii
from ruxue.kit.clock import now_of
from ruxue.kit.db import enqueue_after_commit, locked_row
from ruxue.kit.errors import RuxueError
from ruxue.kit.oauth import subject
from ruxue.kit.sessions import WebSession
from ruxue.provider import grants, rules
from ruxue.provider.models import Consent, CountySession, LogoutDelivery
from ruxue.provider.tasks import tell_counties
from ruxue.reference.districts import district_label
from ruxue.settings import Settings


async def clients(session: AsyncSession, client_id: str) -> list[Client]:
    found = await session.get(Client, client_id) if client_id else None
    return [found] if found is not None else []


HINT_REFUSED = (
    "县区系统发来的退出请求无法核验（登录凭证不是本平台签发的），退出未完成。请回到该县区系统重试。"
)


def check_hint(id_token: str, keys: dict[str, Any], issuer: str) -> dict[str, Any]:
    """The claims of an ID token this provider issued (signature, issuer; expiry not required:
    an expired ID token is still a fine hint of whom to log out)."""
    try:
        key_set = KeySet.import_key_set(keys)  # type: ignore[arg-type]
        claims = jwt.decode(id_token, key_set, registry=JWSRegistry(algorithms=["RS256"])).claims
    except Exception:  # any failure to decode or verify is the same answer
        raise RuxueError(HINT_REFUSED, code="invalid_request") from None
    if claims.get("iss") != issuer:
        raise RuxueError(HINT_REFUSED, code="invalid_request")
    return claims


async def end_sessions(
    session: AsyncSession, subject: str, client_id: str | None = None, sid: str | None = None
) -> int:
    """Delete the county sessions of the person (all, or at one county, or of one city session
    there) and, in the same transaction, a logout to deliver for each (county, city session) with
    a back-channel logout URI; sent after the commit."""
    which = [CountySession.subject == subject]
    if client_id is not None:
        which.append(CountySession.client_id == client_id)
    if sid is not None:
        which.append(CountySession.sid == sid)
    rows = (
        await session.scalars(delete(CountySession).where(*which).returning(CountySession))
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
    row.granted_at = now_of(session)  # the app's clock: the person reads it beside its dates
    await session.flush()


@dataclass(frozen=True)
class GivenConsent:
    client_id: str
    name: str
    district: str
    released: list[str]
    granted_at: dt.datetime


async def consents_given(session: AsyncSession, subject: str) -> list[GivenConsent]:
    """The consents the person gave, newest first, each named as the consent page named it."""
    rows = await session.execute(
        select(Consent, Client)
        .join(Client, Client.client_id == Consent.client_id, isouter=True)
        .where(Consent.subject == subject)
        .order_by(Consent.granted_at.desc(), Consent.client_id)
    )
    return [
        GivenConsent(
            consent.client_id,
            client.name if client else consent.client_id,
            district_label(client.district_code) if client else "",
            rules.released(consent.scopes, consent.full_id_number),
            consent.granted_at,
        )
        for consent, client in rows.all()
    ]


async def withdraw_consent(session: AsyncSession, subject: str, client_id: str) -> Consent | None:
    """The person withdraws a consent: it goes, with the client's unused codes and access tokens
    for the person, and the person's sessions at that county end (told by back-channel logout).
    The next login there asks again. ``None``: there was no such consent."""
    row = await session.get(Consent, (subject, client_id), with_for_update=True)
    if row is None:
        return None
    await session.delete(row)  # through the unit of work: the integrity ledger records it
    await session.flush()
    await grants.revoke_grants_of(session, subject, client_id)
    await end_sessions(session, subject, client_id=client_id)
    return row


def audit_name(id_number: str) -> str:
    """A guardian as the audit log names them (a blind index, never the ID number)."""
    return "guardian:" + pii.blind_index(id_number)[:16]


def issuer_of(settings: Settings) -> str:
    """The provider's issuer, ``RUXUE_PUBLIC_URL/oidc``."""
    return settings.public_url.rstrip("/") + "/oidc"


async def end_county_sessions_of(session: AsyncSession, issuer: str, people: list[str]) -> int:
    """The provincial provider logged these guardians (encrypted ID numbers) out of the city: their
    county sessions end in the same transaction."""
    ended = 0
    for person in people:
        ended += await end_sessions(session, subject(issuer, pii.decrypt(person)))
    return ended
