"""Readiness tells the load balancer the truth: the database and the queue answer and the schema
is the code's; liveness only that the process is up."""

import sqlite3
from pathlib import Path

import httpx
import pytest

from ruxue.settings import Settings
from ruxue.web.app import create_app
from tests.support.helpers import ServerThread

UNREACHABLE = {
    "postgresql": "postgresql+asyncpg://postgres@127.0.0.1:1/ruxue",  # nothing listens on port 1
    "sqlite": "sqlite+aiosqlite:////nonexistent-ruxue-dir/ruxue.db",
}


async def probe(settings: Settings) -> tuple[httpx.Response, httpx.Response]:
    with ServerThread(create_app(settings)) as server:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
            return await http.get("/livez"), await http.get("/readyz")


@pytest.mark.database
async def test_ready_when_the_database_and_the_queue_answer(settings: Settings) -> None:
    live, ready = await probe(settings)
    assert live.status_code == 200 and ready.status_code == 200, ready.text
    assert ready.json() == {"status": "ready"}


@pytest.mark.parametrize("backend", sorted(UNREACHABLE))
async def test_not_ready_with_the_database_down(settings: Settings, backend: str) -> None:
    live, ready = await probe(settings.model_copy(update={"database_url": UNREACHABLE[backend]}))
    assert live.status_code == 200  # the process is up: the balancer must not restart it
    assert ready.status_code == 503
    reasons = ready.json()["reasons"]
    assert len(reasons) == 1 and reasons[0].startswith("database:"), reasons


async def test_not_ready_while_the_schema_is_not_the_codes(
    settings: Settings, tmp_path: Path
) -> None:
    old = tmp_path / "old.db"
    with sqlite3.connect(old) as connection:  # a database a migration has not reached yet
        connection.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)")
        connection.execute("INSERT INTO alembic_version VALUES ('a1c4e7b9d2f5')")
    _, ready = await probe(
        settings.model_copy(update={"database_url": f"sqlite+aiosqlite:///{old}"})
    )
    assert ready.status_code == 503
    assert ready.json()["reasons"][0].startswith("migrations: database at a1c4e7b9d2f5")
