"""A guardianship request as its reviewer and its applicant meet it: the reviewer sees what the
police, the hukou booklet and the birth certificate say before approving (and must say they
compared); the parents' text is signed and official; an upload is confirmed and listed."""

from ruxue.kit.db import Database
from tests.support.guardianship import FILE
from tests.support.helpers import ServerThread
from tests.support.materials import PNG
from tests.support.personas import CHEN, LI
from tests.support.session import logged_in
from tests.support.sms import sms_to
from tests.support.staff import make_staff, staff_client
from tests.support.web import visible


async def test_the_reviewer_checks_the_records_and_the_parents_get_an_official_text(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database
) -> None:
    grandpa = await logged_in(web, sandbox, CHEN)
    no = (await grandpa.post("/api/v1/guardianship", json=FILE)).json()["request_no"]
    text = (await sms_to(sandbox, LI))[0]["text"]
    assert text.startswith("【苏州市入学一件事】苏州市姑苏区教育局告知：") and no in text
    assert "http" not in text and "12345" in text and "不能为该学生报名" in text

    gusu = await staff_client(
        web, "rev-r", await make_staff(db, "rev-r", "reviewer", district="320508")
    )
    page = visible((await gusu.get("/staff/guardianship")).text)
    assert "部门登记的信息" in page and "公安户籍登记的父母" in page and "出生医学证明" in page
    assert "申请人不在学生的户口簿上" in page and "320508********0629" in page  # the mother
    assert "申请人尚未上传材料" in page
    assert f"{no} · 2026-06-15" in page  # filed on the app's clock (the demo's), not the machine's
    bare = await gusu.post(f"/staff/guardianship/{no}", data={"action": "approve"})
    assert bare.status_code == 303
    assert "请先对照部门信息" in (await gusu.get("/staff/guardianship")).text
    assert (await gusu.get(f"/api/v1/review/guardianship/{no}")).json()["status"] == "pending"
    checked = {"action": "approve", "checked": "1", "basis": "court_order", "reason": "已核对"}
    assert (await gusu.post(f"/staff/guardianship/{no}", data=checked)).status_code == 303
    assert (await gusu.get(f"/api/v1/review/guardianship/{no}")).json()["status"] == "approved"
    for client in (grandpa, gusu):
        await client.aclose()


async def test_an_upload_is_confirmed_and_listed(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database
) -> None:
    grandpa = await logged_in(web, sandbox, CHEN)
    no = (await grandpa.post("/api/v1/guardianship", json=FILE)).json()["request_no"]
    sent = await grandpa.post(
        f"/guardianship/{no}/documents", files={"file": ("判决书.png", PNG, "image/png")}
    )
    assert sent.status_code == 303, sent.text
    page = (await grandpa.get("/guardianship")).text
    assert 'id="uploaded"' in page and "判决书.png" in page and f'id="files-{no}"' in page
    assert 'id="uploaded"' not in (await grandpa.get("/guardianship")).text  # once
    assert "判决书.png" in (await grandpa.get("/guardianship")).text  # the list stays
    await grandpa.aclose()
