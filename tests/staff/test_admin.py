"""City administrators manage accounts and schools; lists filter and show capacity; all audited."""

import httpx
import pyotp
from sqlalchemy import select

from ruxue.kit.db import Database
from ruxue.staff.models import AuditEntry
from tests.support.flow import apply
from tests.support.helpers import ServerThread
from tests.support.personas import LI, LI_CHILD
from tests.support.session import logged_in
from tests.support.staff import PASSWORD, make_staff, staff_client


async def test_admin_manages_accounts_and_schools(
    web: ServerThread, db: Database, schools: None
) -> None:
    admin = await staff_client(web, "city-admin", await make_staff(db, "city-admin", "admin"))
    made = await admin.post("/api/v1/admin/staff", json={"username": "new-desk", "name": "窗口", "role": "desk",
                                                          "password": PASSWORD, "school_code": "3205080101"})  # fmt: skip
    assert made.status_code == 201
    desk = await staff_client(web, "new-desk", made.json()["totp_secret"])
    assert (
        await desk.post("/api/v1/admin/staff/city-admin/deactivate")
    ).status_code == 403  # not an admin
    assert (await admin.post("/api/v1/admin/staff/new-desk/deactivate")).status_code == 200
    assert (
        await desk.get("/api/v1/staff/schools/3205080101/applicants")
    ).status_code == 401  # stopped at once
    again = await httpx.AsyncClient(base_url=web.url).post("/api/v1/staff/login", json={
        "username": "new-desk", "password": PASSWORD, "code": pyotp.TOTP(made.json()["totp_secret"]).now()})  # fmt: skip
    assert again.status_code == 401
    edited = await admin.patch("/api/v1/admin/schools/3205080101", json={"capacity": 405})
    assert edited.status_code == 200 and edited.json()["capacity"] == 405
    async with db.read_session() as session:
        actions = set((await session.scalars(select(AuditEntry.action))).all())
    assert {"staff_create", "staff_deactivate", "school_edit", "login"} <= actions
    await admin.aclose()
    await desk.aclose()


async def test_school_list_filters_and_capacity(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database
) -> None:
    guardian = await logged_in(web, sandbox, LI)
    await apply(guardian, sandbox, "primary", LI_CHILD, None)
    desk = await staff_client(web, "pj", await make_staff(db, "pj", "desk", school="3205080101"))
    listing = (await desk.get("/api/v1/staff/schools/3205080101/applicants")).json()
    assert (listing["capacity"], listing["notices"], len(listing["applicants"])) == (360, 1, 1)
    assert (
        await desk.get("/api/v1/staff/schools/3205080101/applicants", params={"category": "A"})
    ).json()["applicants"] == []
    offline = await desk.get(
        "/api/v1/staff/schools/3205080101/applicants", params={"channel": "offline"}
    )
    assert offline.json()["applicants"] == []
    page = await desk.post("/staff/desk/find", data={"child": LI_CHILD})
    assert "已有报名办件" in page.text  # the desk search shows the online case
    await guardian.aclose()
    await desk.aclose()
