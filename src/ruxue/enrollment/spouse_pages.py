"""Step 3 by link (``RUXUE_SPOUSE_METHOD=link``): the guardian sends the spouse an SMS link; the
spouse logs in as themselves and consents; the guardian's step 3 continues with that consent."""

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from ruxue.cases.models import Case
from ruxue.cases.repository import case_by_no
from ruxue.enrollment import repository as repo
from ruxue.enrollment import service
from ruxue.enrollment.pages import _case
from ruxue.enrollment.spouse_link import invite_spouse
from ruxue.enrollment.views import fetched
from ruxue.exchange.envelope import DEPARTMENTS
from ruxue.exchange.repository import get_consent
from ruxue.exchange.schemas import DEPARTMENT_NAMES
from ruxue.identity import spouse
from ruxue.identity.service import Guardian, optional_guardian
from ruxue.kit import pii
from ruxue.kit.errors import Forbidden, NotFound, RuxueError
from ruxue.kit.ratelimit import TooManyRequests
from ruxue.notify.service import queue_text
from ruxue.person.rules import IdNumberError, mask_person, mask_phone
from ruxue.policy.explain import SEGMENTS
from ruxue.reference.repository import get_school
from ruxue.settings import Settings
from ruxue.web.auth import PageGuardian
from ruxue.web.deps import DatabaseDep, ExchangeDep, SettingsDep
from ruxue.web.render import render, to

router = APIRouter(include_in_schema=False)
TEXTED = "spouse_texted"  # [case_no, masked number] the link went to, for the waiting page
WHAT = "户籍、房产、婚姻、出生医学证明、学籍、社保、居住证和积分信息"


@router.post("/cases/{case_no}/spouse/invite", response_class=HTMLResponse)
async def send_invite(
    request: Request,
    db: DatabaseDep,
    exchange: ExchangeDep,
    settings: SettingsDep,
    case_no: str,
    guardian: PageGuardian,
    spouse_id: str = Form(""),
    spouse_phone: str = Form(""),
) -> Response:
    case, facts = await _case(db, guardian, case_no)
    ctx = {"case": case, "facts": facts, "fetched": fetched(facts), "spouse_id": spouse_id}
    try:
        await invite_spouse(db, exchange, settings, guardian, case_no, spouse_id, spouse_phone)
    except IdNumberError as exc:
        return render(request, "step3.html", 3, 400, spouse_id_error=exc.message, **ctx)
    except TooManyRequests:
        raise
    except RuxueError as exc:
        return render(request, "step3.html", 3, 400, error=exc.message, **ctx)
    request.session[TEXTED] = [case.case_no, mask_phone(spouse.check_phone(spouse_phone))]
    return to(f"/cases/{case.case_no}/spouse/invite")


@router.get("/cases/{case_no}/spouse/invite", response_class=HTMLResponse)
async def invite_status(
    request: Request,
    db: DatabaseDep,
    case_no: str,
    guardian: PageGuardian,
) -> Response:
    case, _ = await _case(db, guardian, case_no)
    async with db.read_session() as session:
        row = await spouse.latest(session, case.case_no)
    status = row.status if row else "none"
    texted = request.session.get(TEXTED) or ["", ""]
    phone = texted[1] if texted[0] == case.case_no else ""
    return render(request, "spouse_wait.html", 3, case=case, status=status, phone=phone)


@router.post("/cases/{case_no}/spouse/invite/continue", response_class=HTMLResponse)
async def continue_after_consent(
    request: Request,
    db: DatabaseDep,
    exchange: ExchangeDep,
    case_no: str,
    guardian: PageGuardian,
) -> Response:
    case, facts = await _case(db, guardian, case_no)
    async with db.read_session() as session:
        row = await spouse.latest(session, case.case_no)
        granted = await get_consent(session, row.consent_id) if row and row.consent_id else None
    if row is None or granted is None:
        request.session["flash"] = "配偶尚未完成授权。"
        return to(f"/cases/{case.case_no}/spouse/invite")
    spouse_id = pii.decrypt(row.spouse_enc)
    try:
        await service.attach_spouse(db, exchange, guardian, case.case_no, spouse_id, granted)
    except RuxueError as exc:
        return render(
            request,
            "step3.html",
            3,
            400,
            error=exc.message,
            case=case,
            facts=facts,
            fetched=fetched(facts),
            spouse_id="",
        )
    async with db.write_session() as session:
        await spouse.mark_used(session, case.case_no)
    return to(f"/cases/{case.case_no}/step/4")


@router.get("/spouse/{token}", response_class=HTMLResponse)
async def spouse_page(
    request: Request,
    db: DatabaseDep,
    token: str,
) -> Response:
    """What is asked and why; after the spouse's own login, the consent form."""
    async with db.read_session() as session:
        row = await spouse.by_token(session, token)
        case = await case_by_no(session, row.case_no)
    person = optional_guardian(request)
    if person is not None:
        try:
            spouse.for_person(row, person.id_number)
        except Forbidden as exc:  # e.g. the link opened on the applicant's own phone
            about = {**_about(row, token, person, case), "wrong_person": exc.message}
            return render(request, "spouse_consent.html", None, status_code=403, **about)
    return render(request, "spouse_consent.html", None, **_about(row, token, person, case))


@router.post("/spouse/{token}/switch", response_class=HTMLResponse)
async def switch_person(request: Request, db: DatabaseDep, token: str) -> Response:
    """Sign out whoever is signed in on this device and sign in afresh (the provider asked to
    show its login again), back to this link: the spouse as themselves."""
    async with db.read_session() as session:
        await spouse.by_token(session, token)  # an unknown link: 404, nobody signed out
    request.session.clear()
    return to("/auth/login?reauth=true&next=" + quote(f"/spouse/{token}", safe="/"))


@router.post("/spouse/{token}/consent", response_class=HTMLResponse)
async def spouse_consent(
    request: Request,
    db: DatabaseDep,
    settings: SettingsDep,
    token: str,
    person: PageGuardian,
    agree: str = Form(""),
) -> Response:
    async with db.write_session() as session:
        row = await spouse.by_token(session, token)
        spouse.for_person(row, person.id_number)
        case = await case_by_no(session, row.case_no)
        if agree != "yes":
            row.status = "declined"
        else:
            await spouse.consent(session, row, person.id_number, service.FIELDS)
        if case is not None:  # the applicant hears of it at once, with the way back
            await queue_text(
                session, case.case_no, case.phone_enc, answer_text(settings, row, case)
            )
        about = _about(row, token, person, case)
    return render(request, "spouse_consent.html", None, **about)


def answer_text(settings: Settings, row: spouse.SpouseInvite, case: Case) -> str:
    """The applicant's SMS when the spouse answers the link, with where to go on."""
    link = f"{settings.public_url.rstrip('/')}/cases/{case.case_no}/spouse/invite"
    if row.status == "declined":
        return (f"您为{case.child_name_masked}办理的入学报名（{case.case_no}）：配偶未同意授权。"
                f"可与配偶沟通后重新发送，或按单亲家庭办理：{link}")  # fmt: skip
    return (f"您为{case.child_name_masked}办理的入学报名（{case.case_no}）：配偶已完成授权，"
            f"请登录继续办理：{link}")  # fmt: skip


def _about(
    row: spouse.SpouseInvite, token: str, person: Guardian | None, case: Case | None = None
) -> dict[str, Any]:
    return {
        "child": case.child_name_masked if case else "",
        "token": token,
        "invite": row,
        "person": person,
        "person_shown": mask_person(person.name, person.id_number) if person else "",
        "what": WHAT,
        "departments": [DEPARTMENT_NAMES[d] for d in DEPARTMENTS],
        "segments": SEGMENTS,
    }


@router.get("/cases/{case_no}/authorised", response_class=HTMLResponse)
async def authorised_case(
    request: Request, db: DatabaseDep, case_no: str, person: PageGuardian
) -> Response:
    """The other parent's view of a case they authorised: its status, its documents, and a way
    to end their consent."""
    async with db.read_session() as session:
        case = await repo.case_authorised_by(session, person.id_number, case_no)
        if case is None:
            raise NotFound("没有找到您授权的办件。")
        school = await get_school(session, case.school_code) if case.school_code else None
    return render(request, "authorised_case.html", case=case, school=school)


@router.post("/cases/{case_no}/authorised/withdraw", response_class=HTMLResponse)
async def end_consent(
    request: Request, db: DatabaseDep, case_no: str, person: PageGuardian
) -> Response:
    async with db.write_session() as session:
        await service.end_parent_consent(session, person, case_no)
    request.session["flash"] = "您的授权已撤回，系统不再查询您的信息。"
    return to("/apply")
