"""The 长辈版 (large type, black on white, heavier edges): a per-browser choice kept in a cookie.

A plain link sets it (``/mode?elder=1&next=/apply``), so it works without script and from any
page, the kiosk's included; ``next`` must be a path on this site."""

from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from ruxue.web.deps import SettingsDep

ELDER_COOKIE = "ruxue_elder"
# an authorization request's extension parameter: a county system in 长辈版 sends its person to
# the city's provider with it, and the city's login and consent pages follow (RFC 6749 §3.1: a
# provider ignores a parameter it does not know)
ELDER_PARAM = "elder"
YEAR = 365 * 24 * 3600
router = APIRouter(include_in_schema=False)


def safe_next(value: str) -> str:
    """``value`` if it is a relative path on this site, otherwise the home page."""
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not value.startswith("/") or value.startswith("//"):
        return "/"
    if "\\" in value or any(ord(c) < 32 for c in value):
        return "/"
    return value


def is_elder(request: Request) -> bool:
    return request.cookies.get(ELDER_COOKIE) == "1"


def here(request: Request) -> str:
    """Where the switch comes back to: this page, or for a page answering a form, the page the
    form was on (a POST URL cannot be opened again). The path only — text from a query string is
    never written into a page — but for the pages that are their query (the county's consent page
    is the authorization request), whose query goes URL-encoded into the link."""
    if request.method != "GET":
        return safe_next(urlsplit(request.headers.get("referer", "")).path)
    query = request.url.query if request.url.path in QUERY_PAGES else ""
    return request.url.path + (f"?{query}" if query else "")


QUERY_PAGES = ("/oidc/authorize",)


@router.get("/mode")
async def switch_mode(
    request: Request,
    settings: SettingsDep,
    elder: int = 0,
    next: str = "/",
) -> Response:
    response = RedirectResponse(safe_next(next), status_code=303)
    if elder:
        secure = settings.public_url.startswith("https")
        response.set_cookie(
            ELDER_COOKIE, "1", max_age=YEAR, httponly=True, samesite="lax", secure=secure
        )
    else:
        response.delete_cookie(ELDER_COOKIE)
    return response
