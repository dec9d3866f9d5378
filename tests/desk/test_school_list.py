"""The school's applicant list and its Excel export: names in full, the guardian's contact and the
status, so the school can call its families; every view and export audited."""

import io
import re

from openpyxl import load_workbook
from sqlalchemy import func, select

from ruxue.kit.db import Database
from ruxue.staff.models import AuditEntry
from tests.support.flow import apply
from tests.support.helpers import ServerThread
from tests.support.personas import LIU, WANG, WANG_CHILD
from tests.support.session import logged_in
from tests.support.staff import make_staff, staff_client
from tests.support.web import visible

PINGJIANG = "3205080101"


async def audited(db: Database, action: str) -> int:
    async with db.read_session() as session:
        query = select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action)
        return int(await session.scalar(query) or 0)


async def test_the_school_list_names_the_family_with_contact_and_status(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database
) -> None:
    guardian = await logged_in(web, sandbox, WANG)
    no = (await apply(guardian, sandbox, "primary", WANG_CHILD, LIU))["case_no"]
    desk = await staff_client(web, "pj-l", await make_staff(db, "pj-l", "desk", school=PINGJIANG))
    home = visible((await desk.get("/staff")).text)
    assert "王小明" in home and "王建国" in home and "已发放学位告知书" in home and no in home
    assert re.search(r"1\d{10}", home)  # the guardian's phone, to call
    assert await audited(db, "school_list_view") == 1
    xlsx = await desk.get(f"/api/v1/staff/schools/{PINGJIANG}/applicants.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("办件编号", "学生", "监护人", "监护人手机") and "状态" in rows[0]
    assert rows[1][:3] == (no, "王小明", "王建国") and re.fullmatch(r"1\d{10}", str(rows[1][3]))
    assert "已发放学位告知书" in rows[1]
    for client in (guardian, desk):
        await client.aclose()
