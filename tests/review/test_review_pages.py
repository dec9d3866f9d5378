"""The status page and the staff pages over HTTP: the confirmation step, a double approval, the blocked approval, audited
downloads, the desk form that keeps what was typed, and a case the desk may not see (no 500)."""

import asyncio

import pytest
from sqlalchemy import func, select

from ruxue.cases.models import CaseEvent
from ruxue.kit.db import Database
from ruxue.notify.models import Notification
from ruxue.staff.models import AuditEntry
from tests.support.helpers import ServerThread
from tests.support.personas import LI, LI_CHILD
from tests.support.review import BOTH, GUSU, PINGJIANG, sun_needs_materials, upload
from tests.support.staff import make_staff, staff_client

DONGWU = "3205060101"


async def _events(db: Database, action: str) -> int:
    async with db.read_session() as session:
        query = select(func.count()).select_from(CaseEvent).where(CaseEvent.action == action)
        return int(await session.scalar(query) or 0)


@pytest.mark.slow
async def test_approve_asks_for_confirmation_and_a_second_click_is_told_it_was_handled(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database
) -> None:
    guardian, no = await sun_needs_materials(web, sandbox)
    reviewer = await staff_client(
        web, "rev-p1", await make_staff(db, "rev-p1", "reviewer", district=GUSU)
    )
    page = (await reviewer.get(f"/staff/cases/{no}")).text
    assert 'id="approve-blocked"' in page and "出生医学证明（尚未提供）" in page
    form = {
        "action": "approve",
        "school_code": PINGJIANG,
        "category": "A",
        "message": "",
        "internal_note": "",
    }
    blocked = await reviewer.post(f"/staff/review/{no}", data={**form, "confirmed": "1"})
    assert blocked.status_code == 400 and "不能审核通过" in blocked.text  # the service refuses too

    for kind in BOTH:
        await upload(guardian, no, kind)
    ask = await reviewer.post(f"/staff/review/{no}", data=form)
    assert 'id="confirm-form"' in ask.text and "苏州市平江实验学校" in ask.text
    assert await _events(db, "review_approve") == 0  # nothing happens before the confirmation
    first = await reviewer.post(f"/staff/review/{no}", data={**form, "confirmed": "1"})
    assert first.status_code == 303 and first.headers["location"] == f"/staff/cases/{no}"
    assert "已发放学位告知书" in (await reviewer.get(first.headers["location"])).text
    second = await reviewer.post(f"/staff/review/{no}", data={**form, "confirmed": "1"})
    assert (
        second.status_code == 200 and 'id="notice-msg"' in second.text and "已处理" in second.text
    )
    assert await _events(db, "review_approve") == 1

    empty = await reviewer.post(f"/staff/review/{no}", data={"action": "reject", "message": " "})
    assert empty.status_code == 400 and "不予通过理由" in empty.text
    for client in (guardian, reviewer):
        await client.aclose()


@pytest.mark.slow
async def test_uploaded_files_are_downloaded_by_staff_who_see_the_case_and_audited(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database
) -> None:
    guardian, no = await sun_needs_materials(web, sandbox)
    await upload(guardian, no, "BIRTH_CERTIFICATE")
    reviewer = await staff_client(
        web, "rev-p2", await make_staff(db, "rev-p2", "reviewer", district=GUSU)
    )
    page = (await reviewer.get(f"/staff/cases/{no}")).text
    material_id = page.split(f"/staff/cases/{no}/materials/")[1].split('"')[0]
    got = await reviewer.get(f"/staff/cases/{no}/materials/{material_id}")
    assert got.status_code == 200 and got.content.startswith(b"\x89PNG")
    assert got.headers["content-type"] == "image/png"
    other = await staff_client(
        web, "rev-p3", await make_staff(db, "rev-p3", "reviewer", district="320506")
    )
    assert (await other.get(f"/staff/cases/{no}/materials/{material_id}")).status_code == 404
    async with db.read_session() as session:
        rows = (
            await session.scalars(
                select(AuditEntry).where(AuditEntry.action == "material_download")
            )
        ).all()
    assert [(r.username, r.target) for r in rows] == [("rev-p2", no)]
    for client in (guardian, reviewer, other):
        await client.aclose()


async def test_desk_form_keeps_what_was_typed_and_names_the_field(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database
) -> None:
    desk = await staff_client(
        web, "desk-p4", await make_staff(db, "desk-p4", "desk", school=PINGJIANG)
    )
    typed = {
        "segment": "primary",
        "guardian_id": LI,
        "child_id": LI_CHILD,
        "spouse_id": LI[:-1] + "0",
        "phone": "13800001234",
        "seen_HUKOU_BOOKLET": "1",
        "consent_signed": "1",
    }
    bad = await desk.post("/staff/desk/register", data=typed)
    assert bad.status_code == 400 and "配偶身份证号码：" in bad.text
    assert f'value="{LI_CHILD}"' in bad.text and 'value="13800001234"' in bad.text
    assert (
        'id="spouse_id" name="spouse_id" value="' + LI[:-1] + '0" aria-invalid="true"' in bad.text
    )
    assert 'id="seen_HUKOU_BOOKLET" name="seen_HUKOU_BOOKLET" value="1" checked' in bad.text
    phone = await desk.post(
        "/staff/desk/register", data={**typed, "spouse_id": "", "phone": "12345"}
    )
    assert (
        phone.status_code == 400
        and "手机号码" in phone.text
        and 'value="12345" aria-invalid="true"' in phone.text
    )
    await desk.aclose()


@pytest.mark.slow
async def test_a_case_the_desk_may_not_see_is_a_404_page_not_a_500(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database
) -> None:
    guardian, no = await sun_needs_materials(web, sandbox)  # its school: 平江
    other = await staff_client(
        web, "desk-p5", await make_staff(db, "desk-p5", "desk", school=DONGWU)
    )
    page = await other.get(f"/staff/cases/{no}")
    assert page.status_code == 404 and "办件不存在或不在您的权限范围内" in page.text
    tick = await other.post(f"/api/v1/staff/cases/{no}/originals", json={"materials": BOTH})
    assert tick.status_code == 404
    for client in (guardian, other):
        await client.aclose()


async def test_a_bad_file_on_the_status_page_is_told_beside_its_field(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database
) -> None:
    guardian, no = await sun_needs_materials(web, sandbox)
    files = {"file": ("birth.pdf", b"not a pdf", "application/pdf")}
    data = {"kind": "BIRTH_CERTIFICATE", "how": "upload"}
    bad = await guardian.post(f"/cases/{no}/supplement", data=data, files=files)
    assert bad.status_code == 400 and "只能上传 PDF、JPG 或 PNG 文件" in bad.text
    assert 'aria-describedby="types-BIRTH_CERTIFICATE" aria-invalid="true"' in bad.text
    brought = await guardian.post(
        f"/cases/{no}/supplement", data={"kind": "BIRTH_CERTIFICATE", "how": "bring"}
    )
    assert brought.status_code == 303
    page = (await guardian.get(f"/cases/{no}")).text
    assert 'id="bring-note-BIRTH_CERTIFICATE"' in page and "/cases/" + no + "/supplement" in page
    assert (await guardian.get(f"/cases/{no}?error=假消息")).text.count(
        "假消息"
    ) == 0  # never from the URL
    await guardian.aclose()


async def test_two_approvals_at_once_give_one_decision(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database
) -> None:
    guardian, no = await sun_needs_materials(web, sandbox)
    for kind in BOTH:
        await upload(guardian, no, kind)
    reviewer = await staff_client(
        web, "rev-p6", await make_staff(db, "rev-p6", "reviewer", district=GUSU)
    )
    body = {"school_code": PINGJIANG, "category": "A"}
    url = f"/api/v1/review/cases/{no}/approve"
    answers = await asyncio.gather(reviewer.post(url, json=body), reviewer.post(url, json=body))
    assert sorted(a.status_code for a in answers) == [200, 409]
    assert await _events(db, "review_approve") == 1
    async with db.read_session() as session:
        query = select(func.count()).select_from(Notification).where(Notification.case_no == no)
        assert await session.scalar(query) == 3  # submitted, uploads complete, approved: one each
    for client in (guardian, reviewer):
        await client.aclose()
