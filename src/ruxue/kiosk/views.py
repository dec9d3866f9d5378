"""The kiosk's templates (portrait 1080×1920, its own base and stylesheet) and how they render."""

from functools import partial
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from ruxue.kiosk.models import Terminal
from ruxue.kiosk.session import idle_seconds
from ruxue.kit.csrf import csrf_field
from ruxue.policy.explain import CATEGORIES, CHANNELS, SEGMENTS, STATUSES, category_label
from ruxue.reference.sites import site_of
from ruxue.web.deps import settings_of
from ruxue.web.mode import here as mode_here
from ruxue.web.mode import is_elder
from ruxue.web.render import STEPS

CARD = "kiosk_card.html"  # a card read waits for its face check: timed like a session
TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")
TEMPLATES.env.filters["category"] = category_label


def render(
    request: Request,
    name: str,
    here: Terminal | None,
    step: int | None = None,
    status_code: int = 200,
    **ctx: Any,
) -> Response:
    if not ctx.get("error") and "session" in request.scope:
        ctx["error"] = request.session.pop("flash", None)
    ctx.update(
        terminal=here,
        site=site_of(settings_of(request)),
        timed=("session" in request.scope and bool(request.session.get("kiosk"))) or name == CARD,
        idle=idle_seconds(request, settings_of(request)),
        steps=STEPS,
        step=step,
        SEGMENTS=SEGMENTS,
        STATUSES=STATUSES,
        CATEGORIES=CATEGORIES,
        CHANNELS=CHANNELS,
        csrf_field=partial(csrf_field, request),
        elder=is_elder(request),  # 长辈版, the same switch and cookie as the guardian pages
        back=mode_here(request),
    )
    return TEMPLATES.TemplateResponse(request, name, ctx, status_code=status_code)


def to(path: str) -> Response:
    return RedirectResponse(path, status_code=303)
