"""Consent records: grant, show back, withdraw. Services flush; the caller's boundary commits."""

import datetime as dt
import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.exchange.envelope import DEPARTMENTS, PURPOSES
from ruxue.exchange.envelope import Consent as EnvelopeConsent
from ruxue.exchange.models import CallLogEntry, Consent
from ruxue.exchange.repository import calls_about, get_consent
from ruxue.kit import pii
from ruxue.kit.clock import utcnow
from ruxue.kit.errors import Forbidden, NotFound, RuxueError
from ruxue.person.rules import parse_id_number

DEFAULT_TTL = dt.timedelta(days=30)


class ConsentError(RuxueError):
    status_code = 403
    code = "consent"


async def grant_consent(
    session: AsyncSession,
    *,
    grantor: str,
    subjects: Sequence[str],
    departments: Sequence[str],
    fields: Sequence[str],
    purpose: str,
    case_no: str | None = None,
    channel: str = "online",
    ttl: dt.timedelta = DEFAULT_TTL,
) -> Consent:
    ids = [parse_id_number(s).value for s in subjects]
    unknown = set(departments) - set(DEPARTMENTS)
    if unknown or purpose not in PURPOSES:
        raise RuxueError(f"授权范围不正确：{', '.join(sorted(unknown)) or purpose}")
    now = utcnow()
    consent = Consent(
        id=str(uuid.uuid4()),
        grantor_index=pii.blind_index(grantor),
        grantor_enc=pii.encrypt(grantor),
        subjects_index=[pii.blind_index(i) for i in ids],
        subjects_enc=[pii.encrypt(i) for i in ids],
        departments=list(departments),
        fields=list(fields),
        purpose=purpose,
        case_no=case_no,
        channel=channel,
        granted_at=now,
        expires_at=now + ttl,
    )
    session.add(consent)
    await session.flush()
    return consent


async def withdraw_consent(session: AsyncSession, consent_id: str, grantor: str) -> Consent:
    consent = await get_consent(session, consent_id)
    if consent is None:
        raise NotFound("授权记录不存在")
    if consent.grantor_index not in pii.blind_indexes(grantor):
        raise Forbidden("只能撤回本人作出的授权")
    if consent.withdrawn_at is None:
        consent.withdrawn_at = utcnow()
        await session.flush()
    return consent


def usable(consent: Consent, now: dt.datetime) -> bool:
    return consent.withdrawn_at is None and consent.expires_at > now


def envelope_consent(consent: Consent) -> EnvelopeConsent:
    """The consent as the exchange envelope carries it; refuses a withdrawn or expired one."""
    if not usable(consent, utcnow()):
        raise ConsentError("授权已撤回或已过期，不能查询部门数据")
    return EnvelopeConsent(
        id=consent.id,
        subjects=[pii.decrypt(s) for s in consent.subjects_enc],
        departments=list(consent.departments),
        purpose=consent.purpose,
        expires_at=consent.expires_at.isoformat(),
    )


async def who_asked_about(session: AsyncSession, id_number: str) -> Sequence[CallLogEntry]:
    """Who asked which department what about this person, when and why (the data tracker)."""
    return await calls_about(session, pii.blind_indexes(parse_id_number(id_number).value))
