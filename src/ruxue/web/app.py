"""The enrollment web application: guardian pages, JSON API, and the shared plumbing."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.middleware.sessions import SessionMiddleware

from ruxue.exchange.client import ExchangeClient
from ruxue.exchange.endpoints import router as exchange_router
from ruxue.identity.endpoints import router as identity_router
from ruxue.identity.service import make_oauth, optional_guardian
from ruxue.kit.db import Database
from ruxue.kit.errors import install_error_handler
from ruxue.person.rules import mask_id_number, mask_name
from ruxue.settings import Settings, get_settings

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.db = Database(settings.resolved_database_url())
        app.state.exchange = ExchangeClient(settings, app.state.db)
        yield
        await app.state.exchange.aclose()
        await app.state.db.dispose()

    app = FastAPI(title="ruxue 入学一件事", version="0.1.0", lifespan=lifespan)
    app.state.settings = settings
    app.state.oauth = make_oauth(settings)
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.session_secret,
        session_cookie="ruxue_session",
        max_age=2 * 3600,
        same_site="lax",
        https_only=settings.public_url.startswith("https"),
    )
    install_error_handler(app)
    app.include_router(identity_router)
    app.include_router(exchange_router)
    _pages(app)
    return app


def _pages(app: FastAPI) -> None:
    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def home(request: Request) -> Response:
        return TEMPLATES.TemplateResponse(
            request, "home.html", {"guardian": optional_guardian(request)}
        )

    @app.get("/me", response_class=HTMLResponse, include_in_schema=False)
    async def me(request: Request) -> Response:
        guardian = optional_guardian(request)
        if guardian is None:
            return Response(status_code=303, headers={"location": "/auth/login"})
        ctx = {
            "guardian": guardian,
            "masked_id": mask_id_number(guardian.id_number),
            "masked_name": mask_name(guardian.name),
        }
        return TEMPLATES.TemplateResponse(request, "me.html", ctx)

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}
