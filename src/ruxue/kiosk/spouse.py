"""Step 3 by link at the terminal (``RUXUE_SPOUSE_METHOD=link``, the production default): the spouse
gets an SMS link and consents on their own phone, logged in as themselves; the terminal waits and
continues with that consent. The same calls as the guardian's pages (``enrollment/spouse_pages``)."""

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from ruxue.enrollment import service
from ruxue.enrollment.spouse_link import invite_spouse
from ruxue.exchange.repository import get_consent
from ruxue.identity import spouse
from ruxue.kiosk.session import WAITING, AtTerminal
from ruxue.kiosk.steps import At
from ruxue.kiosk.views import render, to
from ruxue.kit import pii
from ruxue.kit.errors import RuxueError
from ruxue.web.deps import DatabaseDep, ExchangeDep, SettingsDep
from ruxue.web.render import flash

router = APIRouter(prefix="/kiosk", include_in_schema=False)


@router.post("/cases/{case_no}/spouse/invite", response_class=HTMLResponse)
async def send_invite(
    request: Request,
    db: DatabaseDep,
    exchange: ExchangeDep,
    settings: SettingsDep,
    case_no: str,
    spouse_id: str = Form(""),
    spouse_phone: str = Form(""),
    at: AtTerminal = At,
) -> Response:
    try:
        await invite_spouse(db, exchange, settings, at.guardian, case_no, spouse_id, spouse_phone)
    except RuxueError as exc:
        flash(request, exc.message)
        return to(f"/kiosk/cases/{case_no}/step/3")
    return to(f"/kiosk/cases/{case_no}/spouse/invite")


@router.get("/cases/{case_no}/spouse/invite", response_class=HTMLResponse)
async def invite_status(
    request: Request,
    db: DatabaseDep,
    settings: SettingsDep,
    case_no: str,
    at: AtTerminal = At,
) -> Response:
    async with db.read_session() as session:
        case, _ = await service.load(session, at.guardian, case_no)
        row = await spouse.latest(session, case.case_no)
    status = row.status if row else "none"
    if status == "pending":
        request.session[WAITING] = True
    wait = settings.kiosk_spouse_wait_seconds // 60
    return render(
        request, "kiosk_spouse_wait.html", at.terminal, 3, case=case, status=status, wait=wait
    )


@router.post("/cases/{case_no}/spouse/invite/continue", response_class=HTMLResponse)
async def continue_after_consent(
    request: Request,
    db: DatabaseDep,
    exchange: ExchangeDep,
    case_no: str,
    at: AtTerminal = At,
) -> Response:
    async with db.read_session() as session:
        case, _ = await service.load(session, at.guardian, case_no)
        row = await spouse.latest(session, case.case_no)
        granted = await get_consent(session, row.consent_id) if row and row.consent_id else None
    if row is None or granted is None:
        flash(request, "配偶尚未完成授权。")
        return to(f"/kiosk/cases/{case_no}/spouse/invite")
    try:
        await service.attach_spouse(
            db, exchange, at.guardian, case_no, pii.decrypt(row.spouse_enc), granted
        )
    except RuxueError as exc:
        flash(request, exc.message)
        return to(f"/kiosk/cases/{case_no}/step/3")
    async with db.write_session() as session:
        await spouse.mark_used(session, case_no)
    return to(f"/kiosk/cases/{case_no}/step/4")
