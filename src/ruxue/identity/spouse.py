"""The spouse authorises as themselves: the guardian names the spouse (ID number) and a mobile
number; an SMS link opens the app; the spouse logs in with their own real-name login, sees what
is asked and why, and consents in their own session. Only the person whose ID number the
guardian gave can consent; the guardian's step 3 then continues with that consent."""

import datetime as dt
import hashlib
import re
import secrets

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.exchange.envelope import DEPARTMENTS
from ruxue.exchange.models import Consent
from ruxue.exchange.repository import get_consent
from ruxue.exchange.service import grant_consent
from ruxue.identity.models import SpouseInvite
from ruxue.kit import pii
from ruxue.kit.clock import utcnow
from ruxue.kit.errors import Forbidden, NotFound, RuxueError
from ruxue.person.rules import mask_name, parse_id_number

LINK_TTL = dt.timedelta(days=2)
PHONE = re.compile(r"^1\d{10}$")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def check_phone(phone: str) -> str:
    phone = phone.strip().replace(" ", "")
    if not PHONE.match(phone):
        raise RuxueError("请输入配偶的11位手机号码。", code="spouse_phone")
    return phone


async def invite(
    session: AsyncSession, case_no: str, spouse_id: str, guardian_name: str
) -> tuple[SpouseInvite, str]:
    """A new invitation (earlier pending ones of the case end); the row and the link's token."""
    spouse = parse_id_number(spouse_id).value
    for old in await _pending(session, case_no):
        old.status = "replaced"
    token = secrets.token_urlsafe(32)
    row = SpouseInvite(
        token_hash=token_hash(token),
        case_no=case_no,
        spouse_index=pii.blind_index(spouse),
        spouse_enc=pii.encrypt(spouse),
        guardian_name=mask_name(guardian_name),
        status="pending",
        expires_at=utcnow() + LINK_TTL,
    )
    session.add(row)
    await session.flush()
    return row, token


async def by_token(session: AsyncSession, token: str) -> SpouseInvite:
    row = await session.scalar(
        select(SpouseInvite).where(SpouseInvite.token_hash == token_hash(token))
    )
    if row is None or row.status in ("replaced", "used") or row.expires_at <= utcnow():
        raise NotFound("该授权链接无效或已过期，请让办理入学的家长重新发送。")
    return row


def for_person(row: SpouseInvite, id_number: str) -> None:
    """Only the person the guardian named may open the consent."""
    if row.spouse_index not in pii.blind_indexes(id_number):
        raise Forbidden("此授权链接不是发给您的：请用收到短信的本人身份登录。")


async def consent(
    session: AsyncSession, row: SpouseInvite, id_number: str, fields: list[str]
) -> Consent:
    for_person(row, id_number)
    if row.status == "consented" and row.consent_id:
        found = await get_consent(session, row.consent_id)
        assert found is not None
        return found
    granted = await grant_consent(
        session,
        grantor=id_number,
        subjects=[id_number],
        departments=list(DEPARTMENTS),
        fields=fields,
        purpose="ENROLLMENT",
        case_no=row.case_no,
    )
    row.status, row.consent_id = "consented", granted.id
    await session.flush()
    return granted


async def latest(session: AsyncSession, case_no: str) -> SpouseInvite | None:
    query = select(SpouseInvite).where(
        SpouseInvite.case_no == case_no, SpouseInvite.status.in_(["pending", "consented"])
    )
    return await session.scalar(query.order_by(SpouseInvite.id.desc()).limit(1))


async def _pending(session: AsyncSession, case_no: str) -> list[SpouseInvite]:
    query = select(SpouseInvite).where(
        SpouseInvite.case_no == case_no, SpouseInvite.status.in_(["pending", "consented"])
    )
    return list((await session.scalars(query)).all())


async def mark_used(session: AsyncSession, case_no: str) -> None:
    """Step 3 went on with the consent: the link is spent."""
    row = await latest(session, case_no)
    if row is not None:
        row.status = "used"
