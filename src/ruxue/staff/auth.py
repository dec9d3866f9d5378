"""The signed-in staff member: a session entry with an idle timeout, re-read from the database on
every request so that a deactivated account stops at once."""

import datetime as dt
from dataclasses import dataclass

from fastapi import Request

from ruxue.kit.csrf import FIELD
from ruxue.kit.db import Database
from ruxue.kit.errors import Forbidden, Unauthorized
from ruxue.kit.sessions import rotate
from ruxue.staff.models import StaffUser
from ruxue.staff.rules import session_alive


@dataclass(frozen=True)
class Staff:
    id: int
    username: str
    name: str
    role: str
    school_code: str | None
    district_code: str | None

    @property
    def actor(self) -> str:
        return f"staff:{self.username}"


def start_session(request: Request, user: StaffUser, now: dt.datetime) -> None:
    rotate(request.scope)  # a new token at login: a planted cookie is never promoted
    request.session.pop(FIELD, None)  # and a new CSRF token: one read before login is void
    request.session["staff"] = {"id": user.id, "seen": now.isoformat()}


HANDED_OVER = "handed_over"  # the case whose rating screen this browser was handed over for


def hand_over_screen(request: Request, case_no: str) -> None:
    """The desk hands its screen to the family to rate: the clerk's session ends in this browser,
    so nothing on the rating screen (Back included) leads into the live workbench; the clerk
    unlocks by signing in again and returns to the case."""
    request.session.pop("staff", None)
    request.session[HANDED_OVER] = case_no


async def staff_of(request: Request, db: Database, now: dt.datetime) -> Staff:
    """The staff member signed in on this session, re-read from ``db``; ``Unauthorized`` if none,
    if the session has been idle too long, or if the account is deactivated."""
    entry = request.session.get("staff")
    if not entry or not session_alive(dt.datetime.fromisoformat(entry["seen"]), now):
        request.session.pop("staff", None)
        raise Unauthorized("请先登录工作人员账号（会话已过期）")
    async with db.read_session() as session:
        user = await session.get(StaffUser, entry["id"])
    if user is None or not user.active:
        request.session.pop("staff", None)
        raise Unauthorized("账号已停用")
    entry["seen"] = now.isoformat()
    request.session["staff"] = entry
    return Staff(user.id, user.username, user.name, user.role, user.school_code, user.district_code)


def require(staff: Staff, *roles: str) -> None:
    if staff.role not in roles:
        raise Forbidden("无权执行此操作")
