"""The typed dependencies: the request's unit of work commits before the response leaves and
rolls back when the handler raises; the app's clock and settings come from the composition root."""

import datetime as dt

import httpx
from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ruxue.kit.db import Database, enqueue_after_commit
from ruxue.kit.errors import RuxueError
from ruxue.settings import Settings
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
