"""The administrator's page lists the version in force per district and year and the history,
with Chinese labels for every key; only an administrator sees it, and each look is audited."""

import re

import httpx
from sqlalchemy import select

from ruxue.kit.db import Database
from ruxue.policy.service import import_policy
from ruxue.staff.models import AuditEntry
from tests.support.helpers import ServerThread
from tests.support.staff import make_staff, staff_client

ALLOCATION = 'placement = "allocation"\npublish_on = "07-10"\nsibling_priority = true\n'
LATER = ALLOCATION.replace("07-10", "07-15") + "seat_lock_years = { primary = 6 }\n"


async def _store(db: Database, district: str, text: str) -> None:
    async with db.write_session() as session:
        await import_policy(session, district, 2026, text, f"{district}.toml", "bureau")


def _rows(page: str, table: str) -> list[str]:
    body = page.split(f'id="{table}"')[1].split("</table>")[0]
    return re.findall(r'data-district="(\d+)" data-year="(\d+)" data-version="(\d+)"', body)


async def test_the_admin_sees_versions_in_force_and_the_history(
    web: ServerThread, db: Database
) -> None:
    await _store(db, "320508", ALLOCATION)
    await _store(db, "320508", LATER)
    await _store(db, "320583", 'hukou_before = "03-31"\n')
    admin = await staff_client(web, "policy-admin", await make_staff(db, "policy-admin", "admin"))
    page = await admin.get("/staff/policy")
    assert page.status_code == 200, page.text
    assert _rows(page.text, "policy-in-force") == [("320508", "2026", "2"), ("320583", "2026", "1")]
    assert _rows(page.text, "policy-history") == [
        ("320508", "2026", "2"),
        ("320508", "2026", "1"),
        ("320583", "2026", "1"),
    ]
    in_force = page.text.split('id="policy-in-force"')[1].split("</table>")[0]
    for shown in (
        "姑苏区",
        "昆山市",
        "集中分配（先资格审核",
        "2026年07月15日",
        "提交即发放学位告知书",
        "兄姐在读优先：是",
        "一房一学位锁定年限：小学 6 年",
        "户籍迁入截止日期：2026年03月31日",
        "bureau",
        "320508.toml",
    ):
        assert shown in in_force, shown
    assert "2026年07月10日" not in in_force and "2026年07月10日" in page.text
    async with db.read_session() as session:
        actions = list(await session.scalars(select(AuditEntry.action)))
    assert "policy_view" in actions
    home = await admin.get("/staff")
    assert 'href="/staff/policy"' in home.text
    await admin.aclose()


async def test_only_an_administrator_sees_the_page(web: ServerThread, db: Database) -> None:
    reviewer = await staff_client(
        web, "policy-rev", await make_staff(db, "policy-rev", "reviewer", district="320508")
    )
    assert (await reviewer.get("/staff/policy")).status_code == 403
    await reviewer.aclose()
    async with httpx.AsyncClient(base_url=web.url) as anonymous:
        answer = await anonymous.get("/staff/policy", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/staff/login"
