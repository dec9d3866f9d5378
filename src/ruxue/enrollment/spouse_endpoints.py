"""Step 3 by link in the JSON API: send the spouse the link, see whether they consented, continue."""

from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel

from ruxue.enrollment import service
from ruxue.enrollment.endpoints import view
from ruxue.enrollment.schemas import CaseView
from ruxue.enrollment.spouse_link import invite_spouse
from ruxue.exchange.repository import get_consent
from ruxue.identity import spouse
from ruxue.kit import pii
from ruxue.kit.errors import Conflict
from ruxue.web.auth import CurrentGuardian
from ruxue.web.deps import DatabaseDep, ExchangeDep, SettingsDep

router = APIRouter(prefix="/api/v1/cases", tags=["enrollment"])


class SpouseInvite(BaseModel):
    spouse_id_number: str
    spouse_phone: str


class InviteStatus(BaseModel):
    status: Literal["none", "pending", "consented"]


@router.post("/{case_no}/spouse/invite", response_model=InviteStatus, status_code=202)
async def send_invite(
    settings: SettingsDep,
    db: DatabaseDep,
    exchange: ExchangeDep,
    case_no: str,
    body: SpouseInvite,
    request: Request,
    guardian: CurrentGuardian,
) -> InviteStatus:
    """Text the child's other parent a link; they log in as themselves and consent."""
    await invite_spouse(
        db, exchange, settings, guardian, case_no, body.spouse_id_number, body.spouse_phone
    )
    return InviteStatus(status="pending")


@router.get("/{case_no}/spouse/invite", response_model=InviteStatus)
async def invite_status(
    db: DatabaseDep,
    case_no: str,
    request: Request,
    guardian: CurrentGuardian,
) -> InviteStatus:
    async with db.read_session() as session:
        case, _ = await service.load(session, guardian, case_no)
        row = await spouse.latest(session, case.case_no)
    return InviteStatus(status=row.status if row else "none")


@router.post("/{case_no}/spouse/invite/continue", response_model=CaseView)
async def continue_after_consent(
    db: DatabaseDep,
    exchange: ExchangeDep,
    settings: SettingsDep,
    case_no: str,
    request: Request,
    guardian: CurrentGuardian,
) -> CaseView:
    """Once the spouse consented: the police are asked about them, as with the code."""
    async with db.read_session() as session:
        case, _ = await service.load(session, guardian, case_no)
        row = await spouse.latest(session, case.case_no)
        granted = await get_consent(session, row.consent_id) if row and row.consent_id else None
    if row is None or granted is None:
        raise Conflict("配偶尚未完成授权。", code="spouse_not_consented")
    spouse_id = pii.decrypt(row.spouse_enc)
    case = await service.attach_spouse(db, exchange, guardian, case_no, spouse_id, granted)
    async with db.write_session() as session:
        await spouse.mark_used(session, case.case_no)
    async with db.read_session() as session:
        return await view(session, settings.public_url, case)
