"""Staff login (password + TOTP) and logout; the login page for the back office."""

import datetime as dt
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from ruxue.kit.clock import utcnow
from ruxue.kit.db import Database
from ruxue.kit.ratelimit import Limit, TooManyRequests, take
from ruxue.staff.auth import HANDED_OVER, start_session
from ruxue.staff.service import StaffLoginError, authenticate, set_password
from ruxue.web.auth import CurrentStaff
from ruxue.web.deps import DatabaseDep
from ruxue.web.render import render

router = APIRouter(tags=["staff"])


class StaffLogin(BaseModel):
    username: str
    password: str
    code: str


# Per address, per name from one address, per name from anywhere (a name cannot be locked out
# from another address before the attempts from everywhere add up to a hundred an hour).
LOGIN_LIMITS = (
    (Limit("login-ip", 20, dt.timedelta(minutes=10)), "ip"),
    (Limit("login-name-ip", 5, dt.timedelta(minutes=15)), "name-ip"),
    (Limit("login-name", 100, dt.timedelta(hours=1)), "name"),
)


async def _throttle(request: Request, db: Database, username: str, now: dt.datetime) -> None:
    address = request.client.host if request.client else ""
    subjects = {"ip": address, "name-ip": f"{username.lower()}|{address}", "name": username.lower()}
    for limit, subject in LOGIN_LIMITS:
        await take(db, limit, subjects[subject], now)


async def _login(
    request: Request, db: Database, username: str, password: str, code: str
) -> StaffLoginError | TooManyRequests | None:
    now = utcnow()  # TOTP and rate limits run on the real clock, not the demo's
    try:
        await _throttle(request, db, username, now)
    except TooManyRequests as refused:
        return refused
    async with db.write_session() as session:  # a failure is counted and audited
        result = await authenticate(session, username, password, code, now)
    if isinstance(result, StaffLoginError):
        return result
    request.session.pop("guardian", None)
    start_session(request, result, now)
    return None


@router.post("/api/v1/staff/login")
async def login_api(body: StaffLogin, request: Request, db: DatabaseDep) -> dict[str, str]:
    error = await _login(request, db, body.username, body.password, body.code)
    if error:
        raise error
    return {"status": "ok"}


@router.get("/staff/login", response_class=HTMLResponse, include_in_schema=False)
async def login_page(request: Request) -> Response:
    return render(request, "staff_login.html", handed_over=request.session.get(HANDED_OVER))


@router.post("/staff/login", response_class=HTMLResponse, include_in_schema=False)
async def login_form(
    request: Request,
    db: DatabaseDep,
    username: str = Form(""),
    password: str = Form(""),
    code: str = Form(""),
) -> Response:
    handed_over = request.session.get(HANDED_OVER)
    error = await _login(request, db, username, password, code)
    if error:
        page = render(request, "staff_login.html", status_code=error.status_code,
                      error=error.message, username=username, handed_over=handed_over)  # fmt: skip
        page.headers.update(error.headers)
        return page
    request.session.pop(HANDED_OVER, None)
    back = f"/staff/cases/{quote(handed_over)}" if handed_over else "/staff"
    return RedirectResponse(back, status_code=303)


class PasswordChange(BaseModel):
    current: str
    new: str = Field(min_length=10)


@router.post("/api/v1/staff/password")
async def change_password(
    db: DatabaseDep,
    body: PasswordChange,
    request: Request,
    staff: CurrentStaff,
) -> dict[str, int]:
    """A new password ends every session of the account, this one included."""
    async with db.write_session() as session:
        ended = await set_password(session, staff.id, body.current, body.new)
    request.session.clear()
    return {"sessions_ended": ended}


@router.get("/staff/logout", response_class=HTMLResponse, include_in_schema=False)
async def logout_confirm(request: Request) -> Response:
    """A GET never logs out: it asks, posting with the session's CSRF token."""
    return render(request, "logout_confirm.html", action="/staff/logout", back="/staff")


@router.post("/staff/logout", include_in_schema=False)
async def logout(request: Request) -> Response:
    request.session.pop("staff", None)
    return RedirectResponse("/staff/login", status_code=303)
