"""Rating pages: the guardian's (from the status page and the SMS link), the desk's hand-over
screen (opened by a one-time token, not the staff session) and the staff's rectification list."""

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.enrollment import repository as cases
from ruxue.enrollment.service import actor
from ruxue.kit.errors import NotFound, RuxueError
from ruxue.rating import repository as repo
from ruxue.rating import service
from ruxue.rating.views import field_of, item_row, rating_context, rating_form
from ruxue.staff.auth import Staff, hand_over_screen
from ruxue.staff.service import audit
from ruxue.web.auth import PageGuardian, PageStaff
from ruxue.web.deps import DatabaseDep, SettingsDep
from ruxue.web.render import flash, render

router = APIRouter(include_in_schema=False)
RATED = "rated"  # in the session until the rating page after a rating shows its thanks


def _to(path: str) -> Response:
    return RedirectResponse(path, status_code=303)


@router.get("/cases/{case_no}/rating", response_class=HTMLResponse)
async def guardian_page(
    request: Request,
    db: DatabaseDep,
    case_no: str,
    guardian: PageGuardian,
    item: int | None = None,
) -> Response:
    """The case's online rating; with ``item`` (the reply's SMS link), the re-rating of the
    rating that item answers, on that rating's own form (a desk rating is re-rated as a desk one)."""
    async with db.read_session() as session:
        case = await cases.case_of(session, guardian.id_number, case_no)
        if case is None:
            raise NotFound("没有找到该办件")
        channel = "online" if item is None else await service.channel_of_item(session, case, item)
        ctx = await rating_context(session, case, channel)
    thanked = request.session.pop(RATED, False)  # just rated: the rating given, not the form
    return render(request, "rating.html", action=_page(case_no, item), thanked=thanked, **ctx)


def _page(case_no: str, item: int | None) -> str:
    return f"/cases/{case_no}/rating" + (f"?item={item}" if item is not None else "")


@router.post("/cases/{case_no}/rating", response_class=HTMLResponse)
async def guardian_rate(
    request: Request,
    db: DatabaseDep,
    case_no: str,
    guardian: PageGuardian,
    item: int | None = None,
) -> Response:
    try:
        async with db.write_session() as session:
            case = await cases.case_of(session, guardian.id_number, case_no)
            if case is None:
                raise NotFound("没有找到该办件")
            channel = (
                "online" if item is None else await service.channel_of_item(session, case, item)
            )
            form = await rating_form(request, channel)
            await service.rate(session, case, channel, form, actor(guardian))
    except RuxueError as exc:
        if exc.status_code == 404:
            raise
        if field_of(exc) is not None:  # shown beside its part of the form
            return await _refused(request, db, guardian, case_no, item, exc)
        flash(request, exc.message)
        return _to(_page(case_no, item))
    request.session[RATED] = True
    return _to(_page(case_no, item))


async def _refused(
    request: Request,
    db: DatabaseDep,
    guardian: PageGuardian,
    case_no: str,
    item: int | None,
    exc: RuxueError,
) -> Response:
    """The form again, the refusal beside the part it is about."""
    async with db.read_session() as session:
        case = await cases.case_of(session, guardian.id_number, case_no)
        if case is None:
            raise NotFound("没有找到该办件")
        channel = "online" if item is None else await service.channel_of_item(session, case, item)
        ctx = await rating_context(session, case, channel)
    action, field, status = _page(case_no, item), field_of(exc), exc.status_code
    return render(
        request,
        "rating.html",
        action=action,
        error=exc.message,
        field=field,
        status_code=status,
        **ctx,
    )


@router.post("/staff/cases/{case_no}/rating-screen")
async def hand_over(
    request: Request,
    db: DatabaseDep,
    case_no: str,
    staff: PageStaff,
) -> Response:
    if staff is None:
        return _to("/staff/login")
    async with db.write_session() as session:
        token = await service.desk_token(session, staff, case_no)
    hand_over_screen(request, case_no)  # the workbench is locked until the clerk signs in again
    return _to(f"/rate/{token}")


@router.get("/rate/{token}", response_class=HTMLResponse)
async def desk_page(
    request: Request,
    db: DatabaseDep,
    token: str,
) -> Response:
    async with db.read_session() as session:
        case = await service.case_of_token(session, token, use=False)
        ctx = await rating_context(session, case, "desk")
    return render(request, "rating.html", action=f"/rate/{token}", desk=True, **ctx)


@router.post("/rate/{token}", response_class=HTMLResponse)
async def desk_rate(
    request: Request,
    db: DatabaseDep,
    token: str,
) -> Response:
    """A refused rating shows the form again with the message; the token stays unused."""
    try:
        form = await rating_form(request, "desk")
        async with db.write_session() as session:
            case = await service.case_of_token(session, token, use=True)
            await service.rate(session, case, "desk", form, "guardian:desk")
    except RuxueError as exc:
        if exc.status_code == 404:
            raise
        async with db.read_session() as session:
            case = await service.case_of_token(session, token, use=False)
            ctx = await rating_context(session, case, "desk")
        return render(
            request,
            "rating.html",
            action=f"/rate/{token}",
            desk=True,
            error=exc.message,
            field=field_of(exc),
            status_code=exc.status_code,
            **ctx,
        )
    return render(request, "rating_thanks.html")


@router.get("/staff/ratings", response_class=HTMLResponse)
async def items_page(
    request: Request,
    db: DatabaseDep,
    staff: PageStaff,
) -> Response:
    if staff is None:
        return _to("/staff/login")
    async with db.write_session() as session:  # the raters' contacts are shown: audited
        rows = [item_row(*found) for found in await repo.items_in_full(session, staff)]
        await audit(session, staff, "rating_items_view", rows=len(rows))
    return render(request, "rating_items.html", staff=staff, rows=rows, STATUS=service.STATUS)


@router.post("/staff/ratings/{item_id}/{step}")
async def items_step(
    request: Request,
    db: DatabaseDep,
    settings: SettingsDep,
    item_id: int,
    step: str,
    staff: PageStaff,
    note: str = Form(""),
    set_aside: str = Form(""),
) -> Response:
    if staff is None:
        return _to("/staff/login")
    try:
        async with db.write_session() as session:
            await _work(session, staff, item_id, step, note, set_aside, settings.public_url)
    except RuxueError as exc:
        flash(request, exc.message)
    return _to("/staff/ratings")


async def _work(
    session: AsyncSession,
    staff: Staff,
    item_id: int,
    step: str,
    note: str,
    set_aside: str,
    public_url: str,
) -> None:
    if step == "appeal":
        await service.appeal(session, staff, item_id, note)
    elif step == "decide":
        await service.decide_appeal(session, staff, item_id, set_aside == "yes", note)
    elif step in service.STEPS:
        await service.advance(session, staff, item_id, step, note, public_url)
    else:
        raise NotFound("没有这个处理步骤")
