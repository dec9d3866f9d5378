"""Rating pages: the guardian's (from the status page and the SMS link), the desk's hand-over
screen (opened by a one-time token, not the staff session) and the staff's rectification list."""

from typing import Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.desk.pages import signed_in_staff
from ruxue.enrollment import repository as cases
from ruxue.enrollment.models import Case
from ruxue.enrollment.pages import flash, render, signed_in
from ruxue.enrollment.service import actor
from ruxue.identity.service import Guardian
from ruxue.kit.errors import NotFound, RuxueError
from ruxue.rating import repository as repo
from ruxue.rating import rules, service
from ruxue.staff.auth import Staff

router = APIRouter(include_in_schema=False)


def _to(path: str) -> Response:
    return RedirectResponse(path, status_code=303)


async def _form(request: Request, channel: str) -> service.RatingForm:
    data = await request.form()
    names = rules.settings().indicators[channel]
    try:
        level = int(str(data.get("level", "0")))
        indicators = {n: int(str(data.get(f"ind-{i}", "0"))) for i, n in enumerate(names)}
    except ValueError:
        raise RuxueError("请选择评价等级") from None
    return service.RatingForm(
        level, indicators, str(data.get("comment", "")), "anonymous" not in data
    )


async def _context(session: AsyncSession, case: Case, channel: str) -> dict[str, Any]:
    rating = await repo.rating_of(session, case.id, channel)
    item = await repo.item_of_rating(session, rating.id) if rating else None
    s = rules.settings()
    return {
        "case": case,
        "rating": rating,
        "item": item,
        "levels": s.levels,
        "channel": channel,
        "indicators": list(enumerate(s.indicators[channel])),
        "channel_label": service.CHANNELS[channel],
        "decided": await repo.decided_at(session, case) is not None,
        "STATUS": service.STATUS,
        "default_note": f"办结后{s.default_after.days}日内未评价的，视为“{s.levels[s.default_level]}”。",
    }


@router.get("/cases/{case_no}/rating", response_class=HTMLResponse)
async def guardian_page(
    request: Request, case_no: str, guardian: Guardian = Depends(signed_in)
) -> Response:
    async with request.app.state.db.read_session() as session:
        case = await cases.case_of(session, guardian.id_number, case_no)
        if case is None:
            raise NotFound("没有找到该办件")
        ctx = await _context(session, case, "online")
    return render(request, "rating.html", action=f"/cases/{case_no}/rating", **ctx)


@router.post("/cases/{case_no}/rating", response_class=HTMLResponse)
async def guardian_rate(
    request: Request, case_no: str, guardian: Guardian = Depends(signed_in)
) -> Response:
    form = await _form(request, "online")
    try:
        async with request.app.state.db.write_session() as session:
            case = await cases.case_of(session, guardian.id_number, case_no)
            if case is None:
                raise NotFound("没有找到该办件")
            await service.rate(session, case, "online", form, actor(guardian))
    except RuxueError as exc:
        if exc.status_code == 404:
            raise
        flash(request, exc.message)
        return _to(f"/cases/{case_no}/rating")
    flash(request, "感谢您的评价！")
    return _to(f"/cases/{case_no}/rating")


@router.post("/staff/cases/{case_no}/rating-screen")
async def hand_over(
    request: Request, case_no: str, staff: Staff | None = Depends(signed_in_staff)
) -> Response:
    if staff is None:
        return _to("/staff/login")
    async with request.app.state.db.write_session() as session:
        token = await service.desk_token(session, staff, case_no)
    return _to(f"/rate/{token}")


@router.get("/rate/{token}", response_class=HTMLResponse)
async def desk_page(request: Request, token: str) -> Response:
    async with request.app.state.db.read_session() as session:
        case = await service.case_of_token(session, token, use=False)
        ctx = await _context(session, case, "desk")
    return render(request, "rating.html", action=f"/rate/{token}", desk=True, **ctx)


@router.post("/rate/{token}", response_class=HTMLResponse)
async def desk_rate(request: Request, token: str) -> Response:
    """A refused rating shows the form again with the message; the token stays unused."""
    try:
        form = await _form(request, "desk")
        async with request.app.state.db.write_session() as session:
            case = await service.case_of_token(session, token, use=True)
            await service.rate(session, case, "desk", form, "guardian:desk")
    except RuxueError as exc:
        if exc.status_code == 404:
            raise
        async with request.app.state.db.read_session() as session:
            case = await service.case_of_token(session, token, use=False)
            ctx = await _context(session, case, "desk")
        return render(
            request,
            "rating.html",
            action=f"/rate/{token}",
            desk=True,
            error=exc.message,
            status_code=exc.status_code,
            **ctx,
        )
    return render(request, "rating_thanks.html")


@router.get("/staff/ratings", response_class=HTMLResponse)
async def items_page(request: Request, staff: Staff | None = Depends(signed_in_staff)) -> Response:
    if staff is None:
        return _to("/staff/login")
    async with request.app.state.db.read_session() as session:
        items = await repo.items_for(session, staff)
    return render(request, "rating_items.html", staff=staff, items=items, STATUS=service.STATUS)


@router.post("/staff/ratings/{item_id}/{step}")
async def items_step(
    request: Request,
    item_id: int,
    step: str,
    note: str = Form(""),
    set_aside: str = Form(""),
    staff: Staff | None = Depends(signed_in_staff),
) -> Response:
    if staff is None:
        return _to("/staff/login")
    try:
        async with request.app.state.db.write_session() as session:
            await _work(session, staff, item_id, step, note, set_aside)
    except RuxueError as exc:
        flash(request, exc.message)
    return _to("/staff/ratings")


async def _work(
    session: AsyncSession, staff: Staff, item_id: int, step: str, note: str, set_aside: str
) -> None:
    if step == "appeal":
        await service.appeal(session, staff, item_id, note)
    elif step == "decide":
        await service.decide_appeal(session, staff, item_id, set_aside == "yes", note)
    elif step in service.STEPS:
        await service.advance(session, staff, item_id, step, note)
    else:
        raise NotFound("没有这个处理步骤")
