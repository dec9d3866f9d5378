"""The typed dependencies: the request's unit of work commits before the response leaves and
rolls back when the handler raises; the app's clock and settings come from the composition root."""

import datetime as dt
import inspect
from collections.abc import Iterator
from typing import Annotated, Any

import httpx
from fastapi import Depends, FastAPI, Request
from fastapi.dependencies.models import Dependant
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ruxue.kit.db import Database, enqueue_after_commit
from ruxue.kit.errors import RuxueError
from ruxue.settings import Settings
from ruxue.web.app import create_app
from ruxue.web.auth import require_role
from ruxue.web.deps import NowDep, SessionDep, SettingsDep
from ruxue.web.errors import install_error_handlers

FIXED = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)


def noting_the_response(app: ASGIApp, sent: list[str]) -> ASGIApp:
    """``app``, noting in ``sent`` when its response starts to leave."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        async def noting(message: Message) -> None:
            if message["type"] == "http.response.start":
                sent.append("response")
            await send(message)

        await app(scope, receive, noting)

    return wrapped


def app_with(db: Database, sent: list[str]) -> FastAPI:
    app = FastAPI()
    app.state.db, app.state.settings = db, Settings(mode="test", now=FIXED)
    install_error_handlers(app)

    @app.post("/ok")
    async def ok(session: SessionDep) -> dict[str, int]:
        enqueue_after_commit(session, sent.append, "ok")
        return {"sent_before_the_response": len(sent)}

    @app.post("/fails")
    async def fails(session: SessionDep) -> None:
        enqueue_after_commit(session, sent.append, "fails")
        raise RuxueError("不行")

    @app.get("/now")
    async def now(now: NowDep, settings: SettingsDep) -> dict[str, str]:
        return {"now": now.isoformat(), "mode": settings.mode}

    return app


async def test_the_unit_of_work_commits_before_the_response(db: Database) -> None:
    sent: list[str] = []
    transport = httpx.ASGITransport(app=noting_the_response(app_with(db, sent), sent))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        answer = await http.post("/ok")
        # the handler saw nothing sent yet; the job left at the commit, before the response
        assert answer.json() == {"sent_before_the_response": 0} and sent == ["ok", "response"]
        failed = await http.post("/fails")
        assert failed.status_code == 400
        assert sent == ["ok", "response", "response"]  # rolled back: its job dropped


async def test_the_clock_and_settings_are_the_apps(db: Database) -> None:
    transport = httpx.ASGITransport(app=app_with(db, []))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        assert (await http.get("/now")).json() == {"now": FIXED.isoformat(), "mode": "test"}


def test_a_role_guard_is_a_dependency_of_the_current_staff() -> None:
    guard = require_role("admin")
    assert guard.__name__ == "guard" and "staff" in guard.__annotations__


def _leaves(routes: list[Any]) -> list[Any]:
    """Every route, those of the included routers (one route each to FastAPI) with their own
    and their routers' dependencies."""
    out: list[Any] = []
    for route in routes:
        if hasattr(route, "effective_route_contexts"):
            out += route.effective_route_contexts()
        else:
            out.append(route)
    return out


def _runs_in_the_loop(call: object) -> bool:
    """Whether FastAPI awaits ``call`` rather than running it in the thread pool."""
    method = getattr(call, "__call__", None)  # noqa: B004 — a class instance as a dependency
    return any(
        inspect.iscoroutinefunction(c) or inspect.isasyncgenfunction(c) for c in (call, method)
    )


def _sync_calls(dependant: Dependant, where: str) -> Iterator[str]:
    for sub in dependant.dependencies:
        if sub.call is not None and not _runs_in_the_loop(sub.call):
            yield f"{where}: {getattr(sub.call, '__qualname__', sub.call)}"
        yield from _sync_calls(sub, where)


def test_no_route_runs_a_dependency_or_a_handler_in_a_thread(settings: Settings) -> None:
    """A plain ``def`` dependency or handler is a thread hop on every request (web/deps.py)."""
    found, routes = [], 0
    for context in _leaves(create_app(settings).routes):
        dependant = getattr(context, "dependant", None)
        if dependant is None:  # a mount (/static)
            continue
        routes += 1
        where = f"{sorted(getattr(context, 'methods', None) or [])} {context.path}"
        found += list(_sync_calls(dependant, where))
        if not _runs_in_the_loop(context.endpoint):
            found.append(f"{where}: the handler")
    assert routes > 100
    assert not found, "\n".join(found)


def test_the_walk_finds_a_sync_dependency(settings: Settings) -> None:
    app = create_app(settings)

    def plain(request: Request) -> str:
        return "thread"

    @app.get("/plain-dependency")
    async def uses(value: Annotated[str, Depends(plain)]) -> str:
        return value

    route = next(r for r in app.routes if getattr(r, "path", "") == "/plain-dependency")
    assert list(_sync_calls(route.dependant, "x")) == ["x: " + plain.__qualname__]
