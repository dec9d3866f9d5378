"""The guardian's mobile pages (H5): the seven steps, the status page. Same services as the API."""

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.cases.repository import events_of
from ruxue.cases.status import Status
from ruxue.cohort.views import standing_of
from ruxue.county.routing import ServedElsewhere
from ruxue.elicence import repository as licences
from ruxue.elicence.rules import view
from ruxue.enrollment import answer, service
from ruxue.enrollment import repository as repo
from ruxue.enrollment.views import fetched, step_context
from ruxue.exchange.envelope import DEPARTMENTS
from ruxue.exchange.schemas import DEPARTMENT_NAMES
from ruxue.identity.service import (
    Guardian,
    verify_person_otp,
)
from ruxue.kit.db import Database
from ruxue.kit.errors import RuxueError
from ruxue.materials import supplement
from ruxue.person.rules import IdNumberError, mask_person, parse_id_number
from ruxue.policy.explain import SEGMENTS
from ruxue.policy.facts import MARRIAGE
from ruxue.policy.loader import load_policy
from ruxue.policy.rules import married_other_parent, parents_of
from ruxue.reference.repository import get_school
from ruxue.settings import Settings
from ruxue.web.auth import PageGuardian
from ruxue.web.deps import DatabaseDep, ExchangeDep, NowDep, SettingsDep
from ruxue.web.render import flash, render, to

router = APIRouter(include_in_schema=False)


Work = Callable[[AsyncSession], Awaitable[object]]


@router.get("/apply", response_class=HTMLResponse)
async def apply(
    request: Request,
    db: DatabaseDep,
    now: NowDep,
    guardian: PageGuardian,
) -> Response:
    async with db.read_session() as session:
        cases = await repo.cases_of(session, guardian.id_number)
        authorised = await repo.cases_authorised_by(session, guardian.id_number)
    return render(request, "apply.html", step=1, cases=cases, authorised=authorised, year=now.year)


@router.get("/apply/{segment}", response_class=HTMLResponse)
async def child_form(
    request: Request,
    segment: str,
    guardian: PageGuardian,
) -> Response:
    return render(
        request,
        "step_child.html",
        step=2,
        segment=segment,
        departments=[DEPARTMENT_NAMES[d] for d in DEPARTMENTS],
        applicant=mask_person(guardian.name, guardian.id_number),
    )


@router.post("/apply/{segment}", response_class=HTMLResponse)
async def child_submit(
    request: Request,
    db: DatabaseDep,
    exchange: ExchangeDep,
    settings: SettingsDep,
    now: NowDep,
    segment: str,
    guardian: PageGuardian,
    child_id: str = Form(""),
    consent: str = Form(""),
) -> Response:
    ctx = {
        "segment": segment,
        "child_id": child_id,
        "consent": bool(consent),
        "departments": [DEPARTMENT_NAMES[d] for d in DEPARTMENTS],
        "applicant": mask_person(guardian.name, guardian.id_number),
    }
    if segment not in SEGMENTS:
        return to("/apply")
    try:  # every input error at once (one round), before anyone is asked
        parse_id_number(child_id)
        child_id_error = ""
    except IdNumberError as exc:
        child_id_error = exc.message
    if not consent or child_id_error:
        return render(
            request,
            "step_child.html",
            2,
            400,
            error="" if consent else "请阅读并勾选授权声明，授权后系统才能向各部门查询。",
            error_field="" if consent else "consent",
            child_id_error=child_id_error,
            **ctx,
        )
    try:
        case = await service.start_case(db, exchange, settings, guardian,
                                        year=now.year, segment=segment, child_id=child_id)  # fmt: skip
    except IdNumberError as exc:
        return render(request, "step_child.html", 2, 400, child_id_error=exc.message, **ctx)
    except ServedElsewhere as exc:  # a button to the other system instead of the form
        where = exc.where
        error = where.reason if where.url else where.message
        return render(request, "step_child.html", 2, 409, error=error, elsewhere=where, **ctx)
    except RuxueError as exc:
        existing = await _own_case_no(db, guardian, exc.details.get("case_no"))
        return render(
            request,
            "step_child.html",
            2,
            exc.status_code,
            error=exc.message,
            existing=existing,
            guardianship_url=exc.details.get("guardianship_url"),
            **ctx,
        )
    return to(f"/cases/{case.case_no}/step/3")


async def _own_case_no(db: Database, guardian: Guardian, case_no: object) -> str | None:
    """The number of a case this guardian may open, to link to; another family's stays unlinked."""
    if not isinstance(case_no, str) or not case_no:
        return None
    async with db.read_session() as session:
        own = await repo.case_of(session, guardian.id_number, case_no)
    return case_no if own else None


async def _case(db: Database, guardian: Guardian, case_no: str) -> tuple[Any, Any]:
    async with db.read_session() as session:
        return await service.load(session, guardian, case_no)


@router.get("/cases/{case_no}/step/{step}", response_class=HTMLResponse)
async def step_page(
    request: Request,
    db: DatabaseDep,
    settings: SettingsDep,
    case_no: str,
    step: int,
    guardian: PageGuardian,
) -> Response:
    case, facts = await _case(db, guardian, case_no)
    if case.status != Status.DRAFT:
        return to(f"/cases/{case_no}")
    if step > case.step or step < 3 or step > 7:
        return to(f"/cases/{case_no}/step/{case.step}")
    ctx = await step_context(db, settings, case, facts, step, own=True)
    return render(request, f"step{step}.html", step, case=case, facts=facts, **ctx)


@router.post("/cases/{case_no}/spouse/code", response_class=HTMLResponse)
async def spouse_code(
    request: Request,
    db: DatabaseDep,
    exchange: ExchangeDep,
    settings: SettingsDep,
    case_no: str,
    guardian: PageGuardian,
    spouse_id: str = Form(""),
) -> Response:
    case, facts = await _case(db, guardian, case_no)
    ctx = {"case": case, "facts": facts, "fetched": fetched(facts), "spouse_id": spouse_id}
    try:
        sent = await service.send_spouse_code(db, exchange, settings, guardian, case_no, spouse_id)
    except IdNumberError as exc:
        return render(request, "step3.html", 3, 400, spouse_id_error=exc.message, **ctx)
    except RuxueError as exc:
        return render(request, "step3.html", 3, exc.status_code, error=exc.message, **ctx)
    return render(
        request, "step3.html", 3, txn=sent["txn"], phone=sent.get("phone_masked", ""), **ctx
    )


@router.post("/cases/{case_no}/spouse", response_class=HTMLResponse)
async def spouse(
    request: Request,
    db: DatabaseDep,
    exchange: ExchangeDep,
    settings: SettingsDep,
    case_no: str,
    guardian: PageGuardian,
    spouse_id: str = Form(""),
    txn: str = Form(""),
    code: str = Form(""),
) -> Response:
    try:
        verified = await verify_person_otp(settings, txn, code)
        await service.set_spouse(db, exchange, guardian, case_no, spouse_id, verified)
    except RuxueError as exc:
        case, facts = await _case(db, guardian, case_no)
        return render(request, "step3.html", 3, 400, error=exc.message, case=case, facts=facts,
                      fetched=fetched(facts), spouse_id=spouse_id)  # fmt: skip
    return to(f"/cases/{case_no}/step/4")


async def run_step(
    request: Request, case_no: str, back: int, forward: str, work: Callable[[], Awaitable[object]]
) -> Response:
    """Run one step's action; on a business error go back to the step, which shows the message
    once, otherwise forward. Steps that ask the departments call this directly: their service
    keeps its own transactions, none open while the departments answer."""
    try:
        await work()
    except RuxueError as exc:
        flash(request, exc.message)
        return to(f"/cases/{case_no}/step/{back}")
    return to(forward)


async def act(
    request: Request, db: Database, case_no: str, back: int, forward: str, work: Work
) -> Response:
    """``run_step`` with the action in one write transaction."""

    async def in_transaction() -> None:
        async with db.write_session() as session:
            await work(session)

    return await run_step(request, case_no, back, forward, in_transaction)


@router.get("/cases/{case_no}/withdraw", response_class=HTMLResponse)
async def withdraw_confirm(
    request: Request,
    db: DatabaseDep,
    case_no: str,
    guardian: PageGuardian,
) -> Response:
    """Withdrawing ends every consent: the guardian confirms on a page of its own."""
    case, _ = await _case(db, guardian, case_no)
    if case.status not in service.WITHDRAWABLE:
        return to(f"/cases/{case_no}")
    return render(request, "withdraw.html", case=case)


@router.post("/cases/{case_no}/withdraw", response_class=HTMLResponse)
async def withdraw(
    request: Request,
    db: DatabaseDep,
    case_no: str,
    guardian: PageGuardian,
) -> Response:
    case, _ = await _case(db, guardian, case_no)

    async def work(session: AsyncSession) -> None:
        await service.withdraw(session, guardian, case_no)

    return await act(request, db, case_no, case.step, f"/cases/{case_no}", work)


@router.get("/cases/{case_no}/single", response_class=HTMLResponse)
async def single_confirm(
    request: Request,
    db: DatabaseDep,
    exchange: ExchangeDep,
    case_no: str,
    guardian: PageGuardian,
) -> Response:
    """Before step 3 is skipped: what the marriage registry says, and a confirmation."""
    try:
        case, facts = await service.single_parent_records(db, exchange, guardian, case_no)
    except RuxueError as exc:
        flash(request, exc.message)
        return to(f"/cases/{case_no}/step/3")
    other = married_other_parent(facts)
    on_record = parents_of(facts.child, facts.birth_certificate) - {facts.guardian.id_number}
    return render(
        request,
        "single_confirm.html",
        case=case,
        married=service.married_message(other) if other else None,
        unknown=MARRIAGE in facts.unavailable,
        on_record=sorted(p[-4:] for p in on_record),
    )


@router.post("/cases/{case_no}/single", response_class=HTMLResponse)
async def single(
    request: Request,
    db: DatabaseDep,
    exchange: ExchangeDep,
    case_no: str,
    guardian: PageGuardian,
    contested: bool = Form(False),
) -> Response:
    return await run_step(
        request,
        case_no,
        3,
        f"/cases/{case_no}/step/4",
        lambda: service.set_single_parent(db, exchange, guardian, case_no, contested),
    )


@router.post("/cases/{case_no}/checks", response_class=HTMLResponse)
async def checks(
    request: Request,
    db: DatabaseDep,
    exchange: ExchangeDep,
    case_no: str,
    guardian: PageGuardian,
) -> Response:
    return await run_step(request, case_no, 4, f"/cases/{case_no}/step/4",
                          lambda: service.fetch_rest(db, exchange, guardian, case_no))  # fmt: skip


@router.post("/cases/{case_no}/residence", response_class=HTMLResponse)
async def residence(
    request: Request,
    db: DatabaseDep,
    exchange: ExchangeDep,
    case_no: str,
    guardian: PageGuardian,
    cert_no: str = Form(""),
) -> Response:
    return await run_step(request, case_no, 5, f"/cases/{case_no}/step/6",
                          lambda: service.choose_residence(db, exchange, guardian, case_no, cert_no or None))  # fmt: skip


async def _answer(
    settings: Settings,
    now: dt.datetime,
    guardian: Guardian,
    case_no: str,
    kind: str,
    how: str,
    file: UploadFile | None,
) -> Work:
    """One answer to a missing material, as a unit of work: an upload or a promise to bring it."""
    data = await file.read(settings.upload_max_bytes + 1) if file and how == "upload" else b""
    name = (file.filename or "") if file else ""

    async def work(session: AsyncSession) -> None:
        if how == "upload":
            await answer.upload(session, settings, now, guardian, case_no, kind, name, data)
        else:
            await answer.bring(session, now, guardian, case_no, kind)

    return work


@router.post("/cases/{case_no}/materials", response_class=HTMLResponse)
async def materials(
    request: Request,
    db: DatabaseDep,
    settings: SettingsDep,
    now: NowDep,
    case_no: str,
    guardian: PageGuardian,
    kind: str = Form(...),
    how: str = Form(...),
    file: UploadFile | None = File(None),
) -> Response:
    work = await _answer(settings, now, guardian, case_no, kind, how, file)
    try:
        async with db.write_session() as session:
            await work(session)
    except RuxueError as exc:
        return await _material_refused(request, db, settings, guardian, case_no, kind, exc)
    return to(f"/cases/{case_no}/step/6")


async def _material_refused(
    request: Request,
    db: Database,
    settings: Settings,
    guardian: Guardian,
    case_no: str,
    kind: str,
    exc: RuxueError,
) -> Response:
    """Step 6 again with the refusal beside the material it is about (at the top if the step or
    the material is no longer there)."""
    case, facts = await _case(db, guardian, case_no)
    ctx = await step_context(db, settings, case, facts, 6, own=True) if case.step >= 6 else {}
    if case.status != Status.DRAFT or kind not in {m["code"] for m in ctx.get("missing", [])}:
        flash(request, exc.message)
        return to(f"/cases/{case_no}/step/{min(case.step, 6)}")
    return render(
        request,
        "step6.html",
        6,
        exc.status_code,
        case=case,
        facts=facts,
        item_error=exc.message,
        field=kind,
        **ctx,
    )


@router.post("/cases/{case_no}/supplement", response_class=HTMLResponse)
async def supplement_answer(
    request: Request,
    db: DatabaseDep,
    settings: SettingsDep,
    now: NowDep,
    case_no: str,
    guardian: PageGuardian,
    kind: str = Form(""),
    how: str = Form(""),
    file: UploadFile | None = File(None),
) -> Response:
    """A missing material answered on the status page of a case that needs materials."""
    work = await _answer(settings, now, guardian, case_no, kind, how, file)
    page = StatusPage(request, db, settings, now)
    try:
        async with db.write_session() as session:
            await work(session)
    except supplement.AlreadyHandled as exc:
        return await status_page(page, guardian, case_no, notice=exc.message)
    except RuxueError as exc:
        return await status_page(page, guardian, case_no, error=exc.message, field=kind)
    return to(f"/cases/{case_no}")


@router.post("/cases/{case_no}/materials/done", response_class=HTMLResponse)
async def materials_done(
    request: Request,
    db: DatabaseDep,
    case_no: str,
    guardian: PageGuardian,
) -> Response:
    return await run_step(
        request,
        case_no,
        6,
        f"/cases/{case_no}/step/7",
        lambda: service.confirm_materials(db, guardian, case_no),
    )


@router.post("/cases/{case_no}/submit", response_class=HTMLResponse)
async def submit(
    request: Request,
    db: DatabaseDep,
    now: NowDep,
    case_no: str,
    guardian: PageGuardian,
    pledge: str = Form(""),
) -> Response:
    if pledge != "yes":  # the 诚信承诺 comes before the submission
        flash(request, "请先阅读并勾选诚信承诺，再提交报名。")
        return to(f"/cases/{case_no}/step/7")
    return await run_step(
        request,
        case_no,
        7,
        f"/cases/{case_no}",
        lambda: service.submit(db, now, guardian, case_no),
    )


@router.get("/cases/{case_no}", response_class=HTMLResponse)
async def case_page(
    request: Request,
    db: DatabaseDep,
    settings: SettingsDep,
    now: NowDep,
    case_no: str,
    guardian: PageGuardian,
) -> Response:
    return await status_page(StatusPage(request, db, settings, now), guardian, case_no)


@dataclass(frozen=True)
class StatusPage:
    """What the status page is rendered with: the request, the database, the settings, now."""

    request: Request
    db: Database
    settings: Settings
    now: dt.datetime


async def status_page(
    page: StatusPage,
    guardian: Guardian,
    case_no: str,
    notice: str = "",
    error: str = "",
    field: str = "",
) -> Response:
    """The status page; after an answer on it, with a notice or an error (never from the URL)."""
    request, settings = page.request, page.settings
    async with page.db.read_session() as session:
        case, facts = await service.load(session, guardian, case_no)
        school = await get_school(session, case.school_code) if case.school_code else None
        events = await events_of(session, case)
        licence = view(await licences.by_case(session, case.id))
        standing = await standing_of(session, case)
    closes = supplement.deadline(case)
    open_now = page.now <= closes
    return render(
        request,
        "case.html",
        status_code=400 if error else 200,
        case=case,
        facts=facts,
        fetched=fetched(facts, own=True),
        school=school,
        events=events,
        licence=licence,
        standing=standing,
        notice=notice,
        error=error,
        field=field,
        materials=supplement.states(case, facts),
        closes=closes,
        open_now=open_now,
        max_mb=settings.upload_max_bytes // (1024 * 1024),
        retention_years=settings.archive_retention_years,
        contact=load_policy(case.year, case.district_code or "").contact
        if case.notice_no
        else None,
        why_not_withdraw=(
            ""
            if case.status in (Status.DRAFT, Status.WITHDRAWN)
            else service.not_withdrawable(case)
        ),
    )
