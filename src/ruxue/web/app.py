"""The enrollment web application: guardian pages, JSON API, and the shared plumbing."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from ruxue.archive.endpoints import router as archive_router
from ruxue.archive.pages import router as archive_pages
from ruxue.archive.storage import library_from
from ruxue.cohort.pages import router as cohort_pages
from ruxue.county.endpoints import router as county_router
from ruxue.county.pages import router as county_pages
from ruxue.county.routing import routing_of
from ruxue.dashboard.endpoints import router as dashboard_router
from ruxue.dashboard.pages import router as dashboard_pages
from ruxue.desk.endpoints import router as desk_router
from ruxue.desk.pages import router as desk_pages
from ruxue.elicence.endpoints import keys_router as seal_keys_router
from ruxue.elicence.endpoints import router as elicence_router
from ruxue.elicence.pages import router as elicence_pages
from ruxue.enrollment.endpoints import router as enrollment_api
from ruxue.enrollment.pages import router as enrollment_pages
from ruxue.enrollment.spouse_endpoints import router as spouse_api
from ruxue.enrollment.spouse_pages import router as spouse_pages
from ruxue.exchange.client import ExchangeClient
from ruxue.guardianship.endpoints import router as guardianship_api
from ruxue.guardianship.endpoints import staff_router as guardianship_review_api
from ruxue.guardianship.pages import router as guardianship_pages
from ruxue.identity.endpoints import router as identity_router
from ruxue.identity.service import make_oauth
from ruxue.kiosk.endpoints import router as kiosk_api
from ruxue.kiosk.pages import router as kiosk_pages
from ruxue.kiosk.session import KioskSignedOut, NotActivated
from ruxue.kiosk.spouse import router as kiosk_spouse
from ruxue.kiosk.steps import router as kiosk_steps
from ruxue.kit import process
from ruxue.kit.csrf import csrf_protect, csrf_token
from ruxue.kit.db import Database
from ruxue.kit.limits import BodyLimit
from ruxue.kit.security import SecurityMiddleware
from ruxue.kit.sessions import ServerSessionMiddleware
from ruxue.notice.endpoints import api as notice_api
from ruxue.notice.endpoints import router as notice_router
from ruxue.ops import install as ops
from ruxue.policy.loader import load_policy
from ruxue.provider.endpoints import router as provider_router
from ruxue.provider.pages import router as provider_pages
from ruxue.rating.endpoints import router as rating_router
from ruxue.rating.pages import router as rating_pages
from ruxue.reference.districts import district_label
from ruxue.review.endpoints import router as review_router
from ruxue.review.pages import router as review_pages
from ruxue.schools.endpoints import router as schools_router
from ruxue.settings import Settings, get_settings, require_safe
from ruxue.staff.admin import router as admin_router
from ruxue.staff.endpoints import router as staff_router
from ruxue.staff.pages import router as staff_pages
from ruxue.tracker.endpoints import router as tracker_router
from ruxue.tracker.pages import router as tracker_pages
from ruxue.web.auth import LoginRequired, to_login
from ruxue.web.deps import NowDep, ReadSessionDep, SettingsDep
from ruxue.web.errors import (
    ERROR_RESPONSES,
    DatabaseBusy,
    install_error_handlers,
    refuse_error,
    refuse_origin,
)
from ruxue.web.mode import router as mode_router
from ruxue.web.render import render
from ruxue.web.routing import index_routes
from ruxue.wiring import wire

STATIC = Path(__file__).parent / "static"
FAVICON = STATIC / "favicon.ico"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    require_safe(settings)
    process.configure(settings)  # the keys, the CA bundle, the queue the app puts jobs on
    wire(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.db = Database(
            settings.resolved_database_url(), clock=settings.clock, pool_size=settings.db_pool_size
        )
        app.state.exchange = ExchangeClient(settings, app.state.db)
        app.state.library = library_from(settings)
        ops.started(app.state.db, app.state.exchange)
        yield
        await app.state.exchange.aclose()
        await app.state.db.dispose()

    # every form POST riding on a session carries the session's CSRF token (kit/csrf.py)
    app = FastAPI(
        title="ruxue 入学一件事",
        version="0.1.0",
        lifespan=lifespan,
        dependencies=[Depends(csrf_protect)],
    )
    app.state.settings = settings
    app.state.oauth = make_oauth(settings)
    https = settings.public_url.startswith("https")
    app.add_middleware(ServerSessionMiddleware, https=https)
    app.add_middleware(DatabaseBusy)  # also for the session middleware's reads and writes
    app.add_middleware(BodyLimit, max_bytes=settings.request_max_bytes, refusal=refuse_error)
    app.add_middleware(  # outermost but for the metrics
        SecurityMiddleware, public_url=settings.public_url, refusal=refuse_origin
    )
    ops.install_app(app, settings)  # request metrics, /livez, /readyz, /metrics, traces
    install_error_handlers(app)
    app.add_exception_handler(LoginRequired, to_login)
    app.add_exception_handler(NotActivated, lambda *_: RedirectResponse("/kiosk/activate", 303))
    app.add_exception_handler(KioskSignedOut, lambda *_: RedirectResponse("/kiosk", 303))
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for router in (
        identity_router,
        tracker_router,
        tracker_pages,
        enrollment_api,
        notice_api,
        spouse_api,
        enrollment_pages,
        spouse_pages,
        notice_router,
        schools_router,
        staff_router,
        desk_router,
        desk_pages,
        admin_router,
        staff_pages,
        archive_router,
        archive_pages,
        review_router,
        guardianship_api,
        guardianship_review_api,
        guardianship_pages,
        review_pages,
        rating_router,
        rating_pages,
        dashboard_router,
        dashboard_pages,
        mode_router,
        elicence_router,
        seal_keys_router,
        elicence_pages,
        kiosk_api,
        kiosk_pages,
        kiosk_steps,
        kiosk_spouse,
        county_router,
        county_pages,
        provider_router,
        provider_pages,
        cohort_pages,
    ):
        app.include_router(router, responses=ERROR_RESPONSES)
    _pages(app)
    index_routes(app)  # after every route: dispatch by path prefix (web/routing.py)
    return app


def _pages(app: FastAPI) -> None:
    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def home(request: Request) -> Response:
        return render(request, "home.html")

    @app.get("/me", include_in_schema=False)
    async def me() -> Response:
        return RedirectResponse("/apply", status_code=303)

    @app.get("/guide", response_class=HTMLResponse, include_in_schema=False)
    async def guide(
        request: Request, now: NowDep, session: ReadSessionDep, settings: SettingsDep
    ) -> Response:
        policy = load_policy(now.year, "320500")
        window = policy.age["primary"]
        opens, closes = policy.windows["primary"].bounds(policy.year)
        routing = await routing_of(session, settings)  # districts that apply elsewhere
        return render(request, "guide.html", born_from=f"{window.born_from.date(policy.year):%Y年%m月%d日}",
                      born_to=f"{window.born_to.date(policy.year):%Y年%m月%d日}",
                      window=f"{opens:%Y年%m月%d日 %H:%M}至{closes:%m月%d日 %H:%M}",
                      routing=routing, district_label=district_label)  # fmt: skip

    @app.get("/api/v1/csrf", tags=["security"])
    async def csrf(request: Request) -> dict[str, str]:
        """This session's CSRF token, for a script of this site that posts a form; send it as
        the X-CSRF-Token header. Another site cannot read it (no CORS)."""
        return {"csrf_token": csrf_token(request)}

    @app.get("/favicon.ico", include_in_schema=False)
    async def favicon() -> Response:
        """Browsers ask for it whatever the page links; a day in their cache."""
        return FileResponse(FAVICON, headers={"Cache-Control": "public, max-age=86400"})

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}
