"""The seven steps at the terminal: the online services, called exactly as the guardian's pages call
them; only the screens differ (portrait, big targets, an on-screen keypad, no upload)."""

from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.cases.status import Status
from ruxue.elicence import repository as licences
from ruxue.elicence.rules import view
from ruxue.enrollment import answer, service
from ruxue.enrollment.views import step_context
from ruxue.exchange.envelope import DEPARTMENTS
from ruxue.exchange.schemas import DEPARTMENT_NAMES
from ruxue.identity.service import verify_person_otp
from ruxue.kiosk import service as kiosk
from ruxue.kiosk.session import AtTerminal, at_terminal
from ruxue.kiosk.views import render, to
from ruxue.kit.db import Database
from ruxue.kit.errors import RuxueError
from ruxue.person.rules import IdNumberError
from ruxue.rating import service as ratings
from ruxue.rating.views import rating_context, rating_form
from ruxue.reference.repository import get_school
from ruxue.web.deps import DatabaseDep, ExchangeDep, NowDep, SettingsDep
from ruxue.web.render import flash

router = APIRouter(prefix="/kiosk", include_in_schema=False)
At = Depends(at_terminal)
Unit = Callable[[AsyncSession], Awaitable[object]]
DEPARTMENT_LIST = [DEPARTMENT_NAMES[d] for d in DEPARTMENTS]


async def _run(
    request: Request, back: str, forward: str, work: Callable[[], Awaitable[object]]
) -> Response:
    try:
        await work()
    except RuxueError as exc:
        flash(request, exc.message)
        return to(back)
    return to(forward)


def _step(no: str, n: int) -> str:
    return f"/kiosk/cases/{no}/step/{n}"


@router.get("/apply/{segment}", response_class=HTMLResponse)
async def child_form(request: Request, segment: str, at: AtTerminal = At) -> Response:
    return render(
        request, "kiosk_child.html", at.terminal, 2, segment=segment, departments=DEPARTMENT_LIST
    )


@router.post("/apply/{segment}", response_class=HTMLResponse)
async def child_submit(
    request: Request,
    settings: SettingsDep,
    now: NowDep,
    db: DatabaseDep,
    exchange: ExchangeDep,
    segment: str,
    child_id: str = Form(""),
    consent: str = Form(""),
    at: AtTerminal = At,
) -> Response:
    ctx = {"segment": segment, "child_id": child_id, "departments": DEPARTMENT_LIST}
    if segment not in ("primary", "junior"):
        return to("/kiosk/home")
    if not consent:
        return render(
            request, "kiosk_child.html", at.terminal, 2, 400, error="请阅读并勾选授权声明。", **ctx
        )
    try:
        case = await service.start_case(
            db,
            exchange,
            settings,
            at.guardian,
            year=now.year,
            segment=segment,
            child_id=child_id,
            channel="kiosk",
        )
    except IdNumberError as exc:
        return render(request, "kiosk_child.html", at.terminal, 2, 400, error=exc.message, **ctx)
    except RuxueError as exc:
        return render(
            request, "kiosk_child.html", at.terminal, 2, exc.status_code, error=exc.message, **ctx
        )
    return to(_step(case.case_no, 3))


@router.get("/cases/{case_no}/step/{step}", response_class=HTMLResponse)
async def step_page(
    request: Request,
    db: DatabaseDep,
    settings: SettingsDep,
    case_no: str,
    step: int,
    at: AtTerminal = At,
) -> Response:
    async with db.read_session() as session:
        case, facts = await service.load(session, at.guardian, case_no)
    if case.status != Status.DRAFT:
        return to(f"/kiosk/cases/{case_no}")
    if step > case.step or step < 3 or step > 7:
        return to(_step(case_no, case.step))
    ctx = await step_context(db, settings, case, facts, step)
    return render(
        request, f"kiosk_step{step}.html", at.terminal, step, case=case, facts=facts, **ctx
    )


@router.post("/cases/{case_no}/spouse/code", response_class=HTMLResponse)
async def spouse_code(
    request: Request,
    db: DatabaseDep,
    exchange: ExchangeDep,
    settings: SettingsDep,
    case_no: str,
    spouse_id: str = Form(""),
    at: AtTerminal = At,
) -> Response:
    try:
        sent = await service.send_spouse_code(
            db, exchange, settings, at.guardian, case_no, spouse_id
        )
    except RuxueError as exc:
        flash(request, exc.message)
        return to(_step(case_no, 3))
    async with db.read_session() as session:
        case, facts = await service.load(session, at.guardian, case_no)
    ctx = await step_context(db, settings, case, facts, 3)
    return render(
        request,
        "kiosk_step3.html",
        at.terminal,
        3,
        case=case,
        facts=facts,
        txn=sent["txn"],
        phone=sent.get("phone_masked", ""),
        spouse_id=spouse_id,
        **ctx,
    )


@router.post("/cases/{case_no}/spouse", response_class=HTMLResponse)
async def spouse(
    request: Request,
    db: DatabaseDep,
    exchange: ExchangeDep,
    settings: SettingsDep,
    case_no: str,
    spouse_id: str = Form(""),
    txn: str = Form(""),
    code: str = Form(""),
    at: AtTerminal = At,
) -> Response:
    async def work() -> None:
        verified = await verify_person_otp(settings, txn, code)
        await service.set_spouse(db, exchange, at.guardian, case_no, spouse_id, verified)

    return await _run(request, _step(case_no, 3), _step(case_no, 4), work)


async def _act(request: Request, db: Database, back: str, forward: str, unit: Unit) -> Response:
    """``_run`` with the action in one write transaction."""

    async def work() -> None:
        async with db.write_session() as session:
            await unit(session)

    return await _run(request, back, forward, work)


@router.post("/cases/{case_no}/single", response_class=HTMLResponse)
async def single(
    request: Request,
    db: DatabaseDep,
    exchange: ExchangeDep,
    case_no: str,
    at: AtTerminal = At,
) -> Response:
    return await _run(
        request,
        _step(case_no, 3),
        _step(case_no, 4),
        lambda: service.set_single_parent(db, exchange, at.guardian, case_no),
    )


@router.post("/cases/{case_no}/checks", response_class=HTMLResponse)
async def checks(
    request: Request,
    db: DatabaseDep,
    exchange: ExchangeDep,
    case_no: str,
    at: AtTerminal = At,
) -> Response:
    return await _run(
        request,
        _step(case_no, 4),
        _step(case_no, 4),
        lambda: service.fetch_rest(db, exchange, at.guardian, case_no),
    )


@router.post("/cases/{case_no}/residence", response_class=HTMLResponse)
async def residence(
    request: Request,
    db: DatabaseDep,
    exchange: ExchangeDep,
    case_no: str,
    cert_no: str = Form(""),
    at: AtTerminal = At,
) -> Response:
    return await _run(
        request,
        _step(case_no, 5),
        _step(case_no, 6),
        lambda: service.choose_residence(db, exchange, at.guardian, case_no, cert_no or None),
    )


@router.post("/cases/{case_no}/materials", response_class=HTMLResponse)
async def bring(
    request: Request,
    db: DatabaseDep,
    now: NowDep,
    case_no: str,
    kind: str = Form(""),
    at: AtTerminal = At,
) -> Response:
    """A terminal takes no uploads: a missing material is brought to the school as an original."""
    return await _act(
        request,
        db,
        _step(case_no, 6),
        _step(case_no, 6),
        lambda s: answer.bring(s, now, at.guardian, case_no, kind),
    )


@router.post("/cases/{case_no}/materials/done", response_class=HTMLResponse)
async def materials_done(
    request: Request,
    db: DatabaseDep,
    case_no: str,
    at: AtTerminal = At,
) -> Response:
    return await _run(
        request,
        _step(case_no, 6),
        _step(case_no, 7),
        lambda: service.confirm_materials(db, at.guardian, case_no),
    )


@router.post("/cases/{case_no}/submit", response_class=HTMLResponse)
async def submit(
    request: Request,
    db: DatabaseDep,
    now: NowDep,
    case_no: str,
    at: AtTerminal = At,
) -> Response:
    return await _run(
        request,
        _step(case_no, 7),
        f"/kiosk/cases/{case_no}",
        lambda: service.submit(db, now, at.guardian, case_no),
    )


@router.get("/cases/{case_no}", response_class=HTMLResponse)
async def status(
    request: Request,
    db: DatabaseDep,
    case_no: str,
    at: AtTerminal = At,
) -> Response:
    async with db.read_session() as session:
        case, _ = await service.load(session, at.guardian, case_no)
        school = await get_school(session, case.school_code) if case.school_code else None
        licence = view(await licences.by_case(session, case.id))
    return render(
        request, "kiosk_status.html", at.terminal, case=case, school=school, licence=licence
    )


@router.post("/cases/{case_no}/print", response_class=HTMLResponse)
async def print_notice(
    request: Request,
    db: DatabaseDep,
    case_no: str,
    at: AtTerminal = At,
) -> Response:
    """Queue the notice for this terminal's printer; its agent fetches and prints it."""
    try:
        async with db.write_session() as session:
            case, _ = await service.load(session, at.guardian, case_no)
            job = await kiosk.queue_print(session, at.terminal, case)
    except RuxueError as exc:
        flash(request, exc.message)
        return to(f"/kiosk/cases/{case_no}")
    return to(f"/kiosk/cases/{case_no}/print/{job.id}")


@router.get("/cases/{case_no}/print/{job_id}", response_class=HTMLResponse)
async def print_status(
    request: Request, db: DatabaseDep, case_no: str, job_id: int, at: AtTerminal = At
) -> Response:
    """Where the printout is: sent, being printed, printed (the agent says so), never a claim
    that something prints before the printer has it."""
    async with db.read_session() as session:
        case, _ = await service.load(session, at.guardian, case_no)
        job = await kiosk.job_of(session, at.terminal, case, job_id)
    return render(request, "kiosk_printing.html", at.terminal, case_no=case_no, job=job)


@router.get("/cases/{case_no}/withdraw", response_class=HTMLResponse)
async def withdraw_confirm(
    request: Request, db: DatabaseDep, case_no: str, at: AtTerminal = At
) -> Response:
    async with db.read_session() as session:
        case, _ = await service.load(session, at.guardian, case_no)
    return render(request, "kiosk_withdraw.html", at.terminal, case=case)


@router.post("/cases/{case_no}/withdraw", response_class=HTMLResponse)
async def withdraw(
    request: Request, db: DatabaseDep, case_no: str, at: AtTerminal = At
) -> Response:
    """The same withdrawal as online: every consent of the case ends, the child is free again."""

    async def unit(session: AsyncSession) -> None:
        await service.withdraw(session, at.guardian, case_no)
        flash(request, "已撤回本次报名，全部授权已失效。")

    return await _act(request, db, f"/kiosk/cases/{case_no}/withdraw", "/kiosk/home", unit)


@router.get("/cases/{case_no}/rating", response_class=HTMLResponse)
async def rating_page(
    request: Request,
    db: DatabaseDep,
    case_no: str,
    at: AtTerminal = At,
) -> Response:
    """一次一评 at the terminal: the same rating service, on the channel ``kiosk``."""
    async with db.read_session() as session:
        case, _ = await service.load(session, at.guardian, case_no)
        ctx = await rating_context(session, case, "kiosk")
    return render(request, "kiosk_rating.html", at.terminal, **ctx)


@router.post("/cases/{case_no}/rating", response_class=HTMLResponse)
async def rate(request: Request, db: DatabaseDep, case_no: str, at: AtTerminal = At) -> Response:
    form = await rating_form(request, "kiosk")

    async def unit(session: AsyncSession) -> None:
        case, _ = await service.load(session, at.guardian, case_no)
        await ratings.rate(session, case, "kiosk", form, service.actor(at.guardian))

    back = f"/kiosk/cases/{case_no}/rating"
    return await _act(request, db, back, back, unit)
