"""CSRF tokens for the pages: a random token per session (server-side), put in every form by the
templates (``csrf_field``), and checked on every form POST, beside the origin check of
``kit/security.py``. Scripts and API clients of the same origin may send it in the
``X-CSRF-Token`` header instead (``GET /api/v1/csrf`` gives it); a page of another origin can
neither read it nor set that header without a CORS preflight, which this app never grants."""

import secrets

from fastapi import Request
from markupsafe import Markup

from ruxue.kit.errors import Forbidden

FIELD = "csrf_token"
HEADER = "x-csrf-token"
FORMS = ("application/x-www-form-urlencoded", "multipart/form-data", "text/plain")
CHANGES = ("POST", "PUT", "PATCH", "DELETE")
# Ending a session at a kiosk must work even from a page whose token an idle wipe replaced;
# a forged request could only end a session, which the terminal does by itself anyway.
EXEMPT = frozenset({"/kiosk/end"})


class CsrfRefused(Forbidden):
    code = "csrf"
    title = "页面已过期"


def csrf_token(request: Request) -> str:
    """This session's token, created on first use."""
    token = request.session.get(FIELD)
    if not token:
        token = request.session[FIELD] = secrets.token_urlsafe(24)
    return str(token)


def csrf_field(request: Request) -> Markup:
    return Markup(f'<input type="hidden" name="{FIELD}" value="{csrf_token(request)}">')


def needs_token(request: Request) -> bool:
    """A request a page of another site could make the browser send with this session: a
    state-changing method, a session to ride on, and a body an HTML form sends (the three
    content types a form can send; JSON needs a CORS preflight, which this app never grants; a
    script's bodyless POST carries an Origin, which ``kit/security.py`` checks). Without a
    session there is nothing to forge (a provider's back-channel logout, a county's token)."""
    if request.method not in CHANGES or not request.session or request.url.path in EXEMPT:
        return False
    return request.headers.get("content-type", "").lower().startswith(FORMS)


async def csrf_protect(request: Request) -> None:
    """An app-wide dependency: such a request must carry this session's token."""
    if not needs_token(request):
        return
    sent = request.headers.get(HEADER, "")
    if not sent and not request.headers.get("content-type", "").startswith("text/plain"):
        sent = str((await request.form()).get(FIELD, ""))  # parsed once; the route reuses it
    expected = request.session.get(FIELD, "")
    if not (sent and expected and secrets.compare_digest(sent, expected)):
        raise CsrfRefused("页面已过期或来源不受信任，请返回上一页刷新后重新提交。")
