import datetime as dt

import httpx
import pyotp
import pytest
from sqlalchemy import select

from ruxue.kit.db import Database
from ruxue.staff.models import AuditEntry
from ruxue.staff.rules import IDLE_TIMEOUT, scope_problem, session_alive
from tests.helpers import ServerThread
from tests.staff.helpers import PASSWORD, make_staff


async def test_password_and_totp_and_lockout(web: ServerThread, db: Database) -> None:
    secret = await make_staff(db, "desk1", "desk", school="3205080101")
    async with httpx.AsyncClient(base_url=web.url) as http:
        wrong_code = await http.post(
            "/api/v1/staff/login",
            json={"username": "desk1", "password": PASSWORD, "code": "000000"},
        )
        assert wrong_code.status_code == 401
        assert (await http.get("/api/v1/review/queue")).status_code == 401
        for _ in range(4):
            await http.post(
                "/api/v1/staff/login",
                json={"username": "desk1", "password": "wrong-password", "code": "1"},
            )
        locked = await http.post(
            "/api/v1/staff/login",
            json={"username": "desk1", "password": PASSWORD, "code": pyotp.TOTP(secret).now()},
        )
        assert locked.status_code == 401 and "锁定" in locked.json()["message"]
        unknown = await http.post(
            "/api/v1/staff/login", json={"username": "nobody", "password": PASSWORD, "code": "1"}
        )
        assert (
            unknown.json()["message"] == wrong_code.json()["message"]
        )  # no hint which part was wrong
    async with db.read_session() as session:
        actions = (
            await session.scalars(select(AuditEntry.action).where(AuditEntry.username == "desk1"))
        ).all()
    assert actions.count("login_failed") == 5 and "login_locked" in actions


async def test_successful_login_is_audited(web: ServerThread, db: Database) -> None:
    secret = await make_staff(db, "rev1", "reviewer", district="320508")
    async with httpx.AsyncClient(base_url=web.url) as http:
        ok = await http.post(
            "/api/v1/staff/login",
            json={"username": "rev1", "password": PASSWORD, "code": pyotp.TOTP(secret).now()},
        )
        assert ok.status_code == 200
        assert (await http.get("/api/v1/review/queue")).json() == []
    async with db.read_session() as session:
        assert "login" in (await session.scalars(select(AuditEntry.action))).all()


@pytest.mark.parametrize(("role", "school", "district", "ok"), [
    ("desk", "3205080101", None, True), ("desk", None, "320508", False),
    ("reviewer", None, "320508", True), ("reviewer", None, None, False), ("admin", None, None, True), ("boss", None, None, False),
])  # fmt: skip
def test_scope_must_fit_the_role(
    role: str, school: str | None, district: str | None, ok: bool
) -> None:
    assert (scope_problem(role, school, district) is None) == ok


def test_sessions_expire_when_idle() -> None:
    now = dt.datetime(2026, 6, 15, tzinfo=dt.UTC)
    assert session_alive(now - IDLE_TIMEOUT, now)
    assert not session_alive(now - IDLE_TIMEOUT - dt.timedelta(seconds=1), now)


def test_demo_code_is_only_for_demo_accounts() -> None:
    from typer.testing import CliRunner

    from ruxue.cli.main import app

    refused = CliRunner().invoke(app, ["staff", "demo-code", "real-desk"])
    assert refused.exit_code == 1 and "演示账号" in refused.output
