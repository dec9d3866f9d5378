"""The desk's paper consent: a printable template naming the school and what is asked of whom,
its signed page scanned and filed with the case; the workbench names the school, not its code."""

from ruxue.kit.db import Database
from tests.support.flow import apply
from tests.support.helpers import ServerThread
from tests.support.materials import PNG
from tests.support.personas import LIU, WANG, WANG_CHILD
from tests.support.session import logged_in
from tests.support.staff import make_staff, staff_client
from tests.support.web import visible

PINGJIANG = "3205080101"


async def test_the_desk_prints_the_consent_template_and_files_its_scan(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database
) -> None:
    desk = await staff_client(web, "pj-c", await make_staff(db, "pj-c", "desk", school=PINGJIANG))
    home = visible((await desk.get("/staff")).text)
    assert "苏州市平江实验学校" in home and PINGJIANG not in home
    assert 'id="consent-template"' in (await desk.get("/staff")).text
    form = visible((await desk.get("/staff/desk/consent-form")).text)
    assert "书面授权书" in form and "苏州市平江实验学校" in form and "监护人签字" in form
    assert all(d in form for d in ("公安", "不动产", "民政", "卫生健康", "社会保险", "学籍"))

    guardian = await logged_in(web, sandbox, WANG)
    no = (await apply(guardian, sandbox, "primary", WANG_CHILD, LIU))["case_no"]
    page = (await desk.get(f"/staff/cases/{no}")).text
    assert '<option value="DESK_CONSENT">书面授权书（签字页）</option>' in page
    filed = await desk.post(
        f"/staff/cases/{no}/scan",
        data={"kind": "DESK_CONSENT"},
        files={"file": ("consent.png", PNG, "image/png")},
    )
    assert filed.status_code == 303, filed.text
    assert "下载 书面授权书（签字页）" in (await desk.get(f"/staff/cases/{no}")).text
    for client in (guardian, desk):
        await client.aclose()
