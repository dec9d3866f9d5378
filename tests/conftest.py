"""Fixtures: the database under test (SQLite, or PostgreSQL with RUXUE_TEST_DATABASE_URL), migrated
once per run and emptied after each test; the department sandbox over real HTTP."""

import asyncio
import datetime as dt
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from huey import Huey
from hypothesis import settings as hypothesis_settings
from sqlalchemy import delete

from ruxue.dataset.service import load_dataset
from ruxue.kit import migrate, process, queue
from ruxue.kit.csrf import FORMS
from ruxue.kit.db import Database
from ruxue.models import Base
from ruxue.sandbox.app import create_sandbox_app
from ruxue.settings import Settings, get_settings
from tests.support.county import CITY_URL
from tests.support.dataset import EXAMPLE
from tests.support.helpers import ServerThread, free_port
from tests.support.roots import from_environment

pytest_plugins = ["tests.support.passes"]  # which tests the PostgreSQL pass runs

CHECKOUT_QUEUE = Path(__file__).resolve().parent.parent / "var" / "queue.db"

# properties, not timings: a 2-core CI machine under load must not fail a rule on Hypothesis's
# 200 ms deadline per example
hypothesis_settings.register_profile("ruxue", deadline=None)
hypothesis_settings.load_profile("ruxue")


def _queue_state() -> float | None:
    return CHECKOUT_QUEUE.stat().st_mtime if CHECKOUT_QUEUE.exists() else None


def pytest_sessionstart(session: pytest.Session) -> None:
    session.config.stash[_QUEUE_BEFORE] = _queue_state()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """The suite must not queue jobs into the checkout's ``var/queue.db`` (``make demo`` runs them)."""
    if _queue_state() != session.config.stash.get(_QUEUE_BEFORE, None):
        print(f"\nFAILED: the tests wrote into {CHECKOUT_QUEUE}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


_QUEUE_BEFORE = pytest.StashKey[float | None]()


@pytest.fixture(scope="session", autouse=True)
def environment_settings() -> Settings:
    """The keys and the jobs' settings of the environment, before any session fixture runs."""
    return from_environment()


@pytest.fixture(autouse=True)
def configured_from_environment(environment_settings: Settings) -> None:
    """Each test starts with the environment's keys and jobs' settings, whatever an earlier test
    switched to or an app built by a session fixture handed over."""
    process.configure(environment_settings)


@pytest.fixture(scope="session", autouse=True)
def test_queue(tmp_path_factory: pytest.TempPathFactory) -> Huey:
    """Jobs queued by the tests go to a queue of their own, which nothing consumes."""
    return queue.use(queue.make_huey(f"sqlite:///{tmp_path_factory.mktemp('queue') / 'queue.db'}"))


async def _pg_admin(url: str, sql: str) -> None:
    dsn = url.replace("postgresql+asyncpg", "postgresql")
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    base = os.environ.get("RUXUE_TEST_DATABASE_URL", "")
    if not base.startswith("postgresql"):
        url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
        migrate.upgrade(url)
        yield url
        return
    name = f"ruxue_test_{uuid.uuid4().hex[:8]}"
    asyncio.run(_pg_admin(base, f'CREATE DATABASE "{name}"'))
    url = base.rsplit("/", 1)[0] + f"/{name}"
    migrate.upgrade(url)
    yield url
    asyncio.run(_pg_admin(base, f'DROP DATABASE "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def sandbox_port() -> int:
    return free_port()


@pytest.fixture(scope="session")
def web_port() -> int:
    return free_port()


@pytest.fixture(scope="session")
def settings(
    database_url: str, sandbox_port: int, web_port: int, tmp_path_factory: pytest.TempPathFactory
) -> Settings:
    sandbox = f"http://127.0.0.1:{sandbox_port}"
    return Settings(
        mode="test",
        public_url=f"http://127.0.0.1:{web_port}",  # the login's redirect URI is built from it
        spouse_method="code",  # the sandbox's code method; the link method has its own tests
        var_dir=tmp_path_factory.mktemp("var"),
        database_url=database_url,
        exchange_url=f"{sandbox}/exchange",
        idp_url=f"{sandbox}/idp",
        exchange_attempts=3,
        exchange_backoff_s=0.01,
        exchange_timeout_s=2.0,
        breaker_failures=3,
        breaker_reset_s=30.0,
        now=dt.datetime(2026, 6, 15, 2, 0, tzinfo=dt.UTC),  # inside the 2026 registration window
        sms_url=f"{sandbox}/_sandbox/sms",
    )


@pytest.fixture(scope="session")
def sandbox(settings: Settings, sandbox_port: int) -> Iterator[ServerThread]:
    app = create_sandbox_app(load_dataset(EXAMPLE), settings, f"http://127.0.0.1:{sandbox_port}")
    with ServerThread(app, sandbox_port) as server:
        yield server


@pytest.fixture
async def faults(sandbox: ServerThread) -> AsyncIterator[httpx.AsyncClient]:
    """A client for the sandbox's fault API; every fault is cleared after the test."""
    async with httpx.AsyncClient(base_url=sandbox.url) as client:
        yield client
        await client.delete("/_sandbox/faults")


@pytest.fixture(autouse=True)
def wired(settings: Settings) -> None:
    """The case lifecycle's subscribers, as the app's composition root registers them (a test
    in county mode wires again with its settings)."""
    from ruxue.wiring import wire

    wire(settings)


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    yield database
    async with database.write_session() as session:
        for table in reversed(Base.metadata.sorted_tables):
            await session.execute(delete(table))
    await database.dispose()


@pytest.fixture(scope="session")
def web(settings: Settings, sandbox: ServerThread, web_port: int) -> Iterator[ServerThread]:
    from ruxue.web.app import create_app

    with ServerThread(create_app(settings), web_port) as server:
        yield server


@pytest.fixture
def county(settings: Settings, sandbox: ServerThread) -> Iterator[ServerThread]:
    """A ruxue in county mode for 吴中区 (its city at CITY_URL), logging guardians in as the city
    does in these tests (the sandbox)."""
    from ruxue.web.app import create_app

    port = free_port()
    config = {
        "public_url": f"http://127.0.0.1:{port}",
        "upstream_url": CITY_URL,
        "upstream_client_id": "wuzhong",
        "county_district": "320506",
    }
    with ServerThread(create_app(settings.model_copy(update=config)), port) as server:
        yield server


@pytest.fixture
async def schools(db: Database) -> None:
    from ruxue.schools.service import import_schools

    async with db.write_session() as session:
        await import_schools(session, load_dataset(EXAMPLE))


@pytest.fixture
def cli_env(
    settings: Settings, sandbox: ServerThread, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    monkeypatch.setenv("RUXUE_DATABASE_URL", settings.resolved_database_url())
    monkeypatch.setenv("RUXUE_EXCHANGE_URL", settings.exchange_url)
    from_environment()
    yield
    get_settings.cache_clear()


@pytest.fixture(autouse=True)
def form_token_like_a_browser(monkeypatch: pytest.MonkeyPatch) -> None:
    """httpx clients of the tests post forms as a browser does from the app's pages, whose
    forms carry the session's CSRF token (``kit/csrf.py``): before a form POST to the app the
    client reads the token of its session. A test that sets ``X-CSRF-Token`` itself (to check a
    refusal) is left alone; the Playwright tests post the real forms with their hidden field."""
    send = httpx.AsyncClient.send

    async def send_with_token(self: httpx.AsyncClient, request: httpx.Request, **kw: Any) -> Any:
        form = request.headers.get("content-type", "").startswith(FORMS)
        ours = "ruxue_session=" in request.headers.get("cookie", "")  # not the app's own calls
        if request.method == "POST" and form and ours and "x-csrf-token" not in request.headers:
            probe = self.build_request(
                "GET", request.url.copy_with(path="/api/v1/csrf", query=None)
            )
            answer = await send(self, probe)
            if answer.status_code == 200 and "csrf_token" in answer.text:
                request.headers["x-csrf-token"] = answer.json()["csrf_token"]
        return await send(self, request, **kw)

    monkeypatch.setattr(httpx.AsyncClient, "send", send_with_token)


@pytest.fixture
def archive_env(cli_env: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """build_case reads the settings of the environment, as the worker does."""
    monkeypatch.setenv("RUXUE_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("RUXUE_NOW", "2026-06-15T10:00:00+08:00")
    from_environment()
