import datetime as dt

import httpx
import pyotp
import pytest
from sqlalchemy import select

from ruxue.kit.db import Database
from ruxue.staff.models import AuditEntry
from ruxue.staff.rules import IDLE_TIMEOUT, scope_problem, session_alive, totp_step
from tests.support.helpers import ServerThread
from tests.support.staff import PASSWORD, make_staff


@pytest.mark.slow
async def test_one_answer_for_every_failure_and_a_rate_limit(
    web: ServerThread, db: Database
) -> None:
    secret = await make_staff(db, "desk1", "desk", school="3205080101")
    async with httpx.AsyncClient(base_url=web.url) as http:
        wrong_code = await http.post(
            "/api/v1/staff/login",
            json={"username": "desk1", "password": PASSWORD, "code": "000000"},
        )
        assert wrong_code.status_code == 401
        assert (await http.get("/api/v1/review/queue")).status_code == 401
        answers = []
        for name, password in [("desk1", "wrong-password")] * 4 + [("nobody", PASSWORD)] * 5:
            login = {"username": name, "password": password, "code": "1"}
            answers.append(await http.post("/api/v1/staff/login", json=login))
        assert {a.status_code for a in answers} == {401}
        assert {a.json()["message"] for a in answers} == {wrong_code.json()["message"]}
        for name in ("desk1", "nobody"):  # the sixth try of a name: the same 429 for both
            login = {"username": name, "password": PASSWORD, "code": pyotp.TOTP(secret).now()}
            limited = await http.post("/api/v1/staff/login", json=login)
            assert limited.status_code == 429, limited.text
            assert 0 < int(limited.headers["retry-after"]) <= 15 * 60
            assert limited.json()["error"] == "rate_limited"
    async with db.read_session() as session:
        actions = (
            await session.scalars(select(AuditEntry.action).where(AuditEntry.username == "desk1"))
        ).all()
    assert actions.count("login_failed") == 5 and "login" not in actions


async def test_a_totp_code_counts_once(web: ServerThread, db: Database) -> None:
    secret = await make_staff(db, "desk2", "desk", school="3205080101")
    login = {"username": "desk2", "password": PASSWORD, "code": pyotp.TOTP(secret).now()}
    async with httpx.AsyncClient(base_url=web.url) as http:
        assert (await http.post("/api/v1/staff/login", json=login)).status_code == 200
    async with httpx.AsyncClient(base_url=web.url) as http:
        replayed = await http.post("/api/v1/staff/login", json=login)
        assert replayed.status_code == 401


def test_totp_step_accepts_neighbours_once() -> None:
    secret = pyotp.random_base32()
    now = dt.datetime(2026, 6, 15, 2, 0, 10, tzinfo=dt.UTC)
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    assert totp_step(secret, totp.at(now), now, None) == current
    assert totp_step(secret, totp.at(now), now, current) is None  # replayed
    earlier = totp.at(now - dt.timedelta(seconds=30))
    assert totp_step(secret, earlier, now, None) == current - 1
    assert totp_step(secret, earlier, now, current) is None  # older than the last one used
    assert totp_step(secret, totp.at(now - dt.timedelta(seconds=90)), now, None) is None


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
