"""The login guards of the route handlers: the guardian and the staff member, for pages (a redirect
to the login) and for the API (401), and role guards composed from them."""

from collections.abc import Awaitable, Callable
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse

from ruxue.identity.rules import safe_next
from ruxue.identity.service import Guardian, current_guardian, optional_guardian
from ruxue.kit.errors import Unauthorized
from ruxue.staff.auth import Staff, require, staff_of
from ruxue.web.deps import DatabaseDep, NowDep


class LoginRequired(Exception):
    """Raised by ``signed_in``; the app turns it into a redirect to the login."""


def to_login(request: Request, _: Exception) -> RedirectResponse:
    """The login, then back to the page asked for (a link from an SMS keeps its destination)."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if request.method != "GET" or not safe_next(target):
        return RedirectResponse("/auth/login", status_code=303)
    return RedirectResponse("/auth/login?next=" + quote(target, safe="/"), status_code=303)


async def signed_in(request: Request) -> Guardian:
    """The guardian of a page: a visitor who is not signed in is sent to the login."""
    guardian = optional_guardian(request)
    if guardian is None:
        raise LoginRequired
    return guardian


async def api_guardian(request: Request) -> Guardian:
    """The guardian of the API: 401 if not signed in (a coroutine: no thread hop, ``deps.py``)."""
    return current_guardian(request)


CurrentGuardian = Annotated[Guardian, Depends(api_guardian)]  # the API: 401 if not signed in
PageGuardian = Annotated[Guardian, Depends(signed_in)]  # a page: redirect to the login


async def current_staff(request: Request, db: DatabaseDep, now: NowDep) -> Staff:
    """The signed-in staff member of the API: 401 if none (or the session has expired)."""
    return await staff_of(request, db, now)


async def signed_in_staff(request: Request, db: DatabaseDep, now: NowDep) -> Staff | None:
    """The signed-in staff member of a page, or None: the page sends them to the staff login."""
    try:
        return await staff_of(request, db, now)
    except Unauthorized:
        return None


CurrentStaff = Annotated[Staff, Depends(current_staff)]
PageStaff = Annotated[Staff | None, Depends(signed_in_staff)]


def require_role(*roles: str) -> Callable[[Staff], Awaitable[Staff]]:
    """A dependency: the current staff member, if they hold one of ``roles`` (otherwise 403)."""

    async def guard(staff: CurrentStaff) -> Staff:
        require(staff, *roles)
        return staff

    return guard
