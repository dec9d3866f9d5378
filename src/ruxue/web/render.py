"""The one page renderer: templates per feature under ``web/templates``, one context function."""

from functools import partial
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from ruxue.identity.service import optional_guardian
from ruxue.kit.csrf import csrf_field
from ruxue.policy.explain import (
    CATEGORIES,
    CHANNELS,
    EVENTS,
    SEGMENTS,
    STATUSES,
    actor_label,
    category_label,
)
from ruxue.policy.loader import CHINA
from ruxue.reference.sites import site_of
from ruxue.web.deps import settings_of
from ruxue.web.mode import here, is_elder

TEMPLATES = Jinja2Templates(directory=Path(__file__).resolve().parent / "templates")
TEMPLATES.env.filters["cn_time"] = lambda value: f"{value.astimezone(CHINA):%m-%d %H:%M}"
TEMPLATES.env.filters["cn_datetime"] = lambda value: f"{value.astimezone(CHINA):%Y-%m-%d %H:%M}"
TEMPLATES.env.filters["cn_deadline"] = lambda value: f"{value.astimezone(CHINA):%Y年%m月%d日 %H:%M}"
TEMPLATES.env.filters["actor"] = actor_label
TEMPLATES.env.filters["category"] = category_label
STEPS = ["实名登录", "学生信息", "配偶信息", "学籍核验", "房产信息", "补充材料", "确认提交"]


def context(request: Request, step: int | None, ctx: dict[str, Any]) -> dict[str, Any]:
    """What every page sees besides its own values: the guardian, the site, the mode, the flash."""
    settings = settings_of(request)
    now = settings.now
    has_session = "session" in request.scope
    if has_session and not ctx.get("error"):
        ctx["error"] = request.session.pop("flash", None)
    ctx.update(
        steps=STEPS,
        step=step,
        guardian=optional_guardian(request) if has_session else None,
        elder=is_elder(request),
        site=site_of(settings),
        here=here(request),
        demo_now=f"{now.astimezone(CHINA):%Y-%m-%d %H:%M}" if now else None,
        SEGMENTS=SEGMENTS,
        STATUSES=STATUSES,
        CATEGORIES=CATEGORIES,
        CHANNELS=CHANNELS,
        EVENTS=EVENTS,
        csrf_field=partial(csrf_field, request) if has_session else str,
    )
    return ctx


def render(
    request: Request, name: str, step: int | None = None, status_code: int = 200, **ctx: Any
) -> Response:
    return TEMPLATES.TemplateResponse(
        request, name, context(request, step, ctx), status_code=status_code
    )


def flash(request: Request, message: str) -> None:
    """A message for the next page this browser shows, kept in the session: no text travels in
    a URL, so nothing a link carries can be printed as ours."""
    request.session["flash"] = message


def to(path: str) -> Response:
    return RedirectResponse(path, status_code=303)
