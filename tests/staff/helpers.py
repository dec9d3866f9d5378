"""Staff accounts and signed-in clients for tests."""

import httpx
import pyotp

from ruxue.kit.db import Database
from ruxue.staff.service import create_staff
from tests.helpers import ServerThread

PASSWORD = "correct-horse-42"


async def make_staff(
    db: Database, username: str, role: str, school: str | None = None, district: str | None = None
) -> str:
    async with db.write_session() as session:
        _, secret = await create_staff(session, username=username, name=username, role=role, password=PASSWORD,
                                       school_code=school, district_code=district)  # fmt: skip
    return secret


async def staff_client(web: ServerThread, username: str, secret: str) -> httpx.AsyncClient:
    http = httpx.AsyncClient(base_url=web.url, timeout=30)
    login = await http.post(
        "/api/v1/staff/login",
        json={"username": username, "password": PASSWORD, "code": pyotp.TOTP(secret).now()},
    )
    assert login.status_code == 200, login.text
    return http
