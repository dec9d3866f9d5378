"""Desk staff of school X see none of school Y's cases; a reviewer of district X cannot act on Y;
an online case and a desk attempt for the same child end with one case."""

import io

import pytest
from openpyxl import load_workbook

from ruxue.kit.db import Database
from tests.support.flow import apply
from tests.support.helpers import ServerThread
from tests.support.materials import PNG, _at_materials_step
from tests.support.personas import CHEN, LI, LI_CHILD, LIU, WANG, WANG_CHILD
from tests.support.session import logged_in
from tests.support.staff import make_staff, staff_client

PINGJIANG, DONGWU = "3205080101", "3205060101"


@pytest.mark.slow
async def test_desk_sees_only_its_school(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database
) -> None:
    guardian = await logged_in(web, sandbox, WANG)
    case = await apply(guardian, sandbox, "primary", WANG_CHILD, LIU)  # 王 → 苏州市平江实验学校
    no = case["case_no"]
    mine = await staff_client(
        web, "desk-pj", await make_staff(db, "desk-pj", "desk", school=PINGJIANG)
    )
    other = await staff_client(
        web, "desk-dw", await make_staff(db, "desk-dw", "desk", school=DONGWU)
    )

    assert (await mine.get(f"/api/v1/staff/cases/{no}")).json()["school_code"] == PINGJIANG
    assert (await mine.get(f"/api/v1/staff/cases/{no}/notice.pdf")).status_code == 200
    sheet = load_workbook(
        io.BytesIO((await mine.get(f"/api/v1/staff/schools/{PINGJIANG}/applicants.xlsx")).content)
    ).active
    assert sheet is not None and [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)] == [
        no
    ]

    assert (await other.get(f"/api/v1/staff/cases/{no}")).status_code == 404
    assert (await other.get(f"/api/v1/staff/cases/{no}/notice.pdf")).status_code == 404
    assert (
        await other.get(f"/api/v1/staff/schools/{PINGJIANG}/applicants.xlsx")
    ).status_code == 403
    assert (await other.get("/api/v1/staff/cases/RX2026P0000000001")).status_code == 404
    lookup = {"child_id_number": WANG_CHILD}
    found = (await other.post("/api/v1/staff/children/lookup", json=lookup)).json()["case"]
    assert found["visible"] is False and "case_no" not in found  # told it exists, nothing more
    assert no not in found["message"] and "status" not in found
    assert (
        await other.get(f"/api/v1/cases/{no}")
    ).status_code == 401  # the guardian API is not theirs
    for client in (guardian, mine, other):
        await client.aclose()


async def test_online_case_and_desk_attempt_end_with_one_case(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database
) -> None:
    guardian = await logged_in(web, sandbox, LI)
    case = await apply(guardian, sandbox, "primary", LI_CHILD, None)
    desk = await staff_client(
        web, "desk-pj2", await make_staff(db, "desk-pj2", "desk", school=PINGJIANG)
    )
    attempt = await desk.post("/api/v1/staff/offline-cases", json={
        "segment": "primary", "guardian_id_number": LI, "child_id_number": LI_CHILD, "consent_signed": True,
        "originals_seen": ["HUKOU_BOOKLET"]})  # fmt: skip
    assert attempt.status_code == 409 and attempt.json()["case_no"] == case["case_no"]
    assert (await guardian.get("/api/v1/cases")).json()[0]["case_no"] == case["case_no"]
    await guardian.aclose()
    await desk.aclose()


async def test_desk_registers_offline_with_the_same_rules(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database
) -> None:
    desk = await staff_client(
        web, "desk-pj3", await make_staff(db, "desk-pj3", "desk", school=PINGJIANG)
    )
    unsigned = await desk.post("/api/v1/staff/offline-cases", json={
        "segment": "primary", "guardian_id_number": LI, "child_id_number": LI_CHILD, "consent_signed": False})  # fmt: skip
    assert unsigned.status_code == 400
    done = await desk.post("/api/v1/staff/offline-cases", json={
        "segment": "primary", "guardian_id_number": LI, "child_id_number": LI_CHILD, "consent_signed": True,
        "originals_seen": ["HUKOU_BOOKLET"]})  # fmt: skip
    assert done.status_code == 201, done.text
    case = done.json()
    assert (case["channel"], case["status"], case["school_code"], case["category"]) == (
        "offline",
        "notice_issued",
        PINGJIANG,
        "C",
    )
    pdf = await desk.get(f"/api/v1/staff/cases/{case['case_no']}/notice.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    await desk.aclose()


@pytest.mark.slow
async def test_reviewer_acts_only_in_their_district(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database
) -> None:
    guardian = await logged_in(web, sandbox, CHEN)  # 吴中区: the upload sends the case to review
    no = await _at_materials_step(guardian)
    await guardian.post(f"/api/v1/cases/{no}/materials/upload", data={"kind": "BIRTH_CERTIFICATE"},
                        files={"file": ("c.png", PNG, "image/png")})  # fmt: skip
    await guardian.post(f"/api/v1/cases/{no}/materials/done")
    assert (await guardian.post(f"/api/v1/cases/{no}/submit")).json()["outcome"] == "manual_review"

    wuzhong = await staff_client(
        web, "rev-wz", await make_staff(db, "rev-wz", "reviewer", district="320506")
    )
    gusu = await staff_client(
        web, "rev-gs", await make_staff(db, "rev-gs", "reviewer", district="320508")
    )
    assert [c["case_no"] for c in (await wuzhong.get("/api/v1/review/queue")).json()] == [no]
    assert (await gusu.get("/api/v1/review/queue")).json() == []
    body = {"school_code": DONGWU, "category": "A", "internal_note": "已核验出生医学证明原件照片"}
    assert (await gusu.post(f"/api/v1/review/cases/{no}/approve", json=body)).status_code == 404
    outside = await wuzhong.post(
        f"/api/v1/review/cases/{no}/approve", json={**body, "school_code": PINGJIANG}
    )
    assert outside.status_code == 400  # only schools of their own district
    approved = await wuzhong.post(f"/api/v1/review/cases/{no}/approve", json=body)
    assert approved.status_code == 200 and approved.json()["status"] == "notice_issued"
    view = (await guardian.get(f"/api/v1/cases/{no}")).json()
    assert view["status"] == "notice_issued" and view["notice_no"]
    late = await wuzhong.post(f"/api/v1/review/cases/{no}/reject", json={"reason": "x"})
    assert late.status_code == 409 and late.json()["error"] == "already_handled"
    for client in (guardian, wuzhong, gusu):
        await client.aclose()


@pytest.mark.slow
async def test_desk_files_a_scan_of_an_original(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database
) -> None:
    from tests.support.materials import PNG

    desk = await staff_client(
        web, "desk-scan", await make_staff(db, "desk-scan", "desk", school=PINGJIANG)
    )
    case = (await desk.post("/api/v1/staff/offline-cases", json={
        "segment": "primary", "guardian_id_number": LI, "child_id_number": LI_CHILD, "consent_signed": True,
        "originals_seen": ["HUKOU_BOOKLET"]})).json()  # fmt: skip
    scan = await desk.post(f"/api/v1/staff/cases/{case['case_no']}/materials", data={"kind": "HUKOU_BOOKLET"},
                           files={"file": ("hk.png", PNG, "image/png")})  # fmt: skip
    assert scan.status_code == 201 and scan.json()["content_type"] == "image/png"
    other = await staff_client(
        web, "desk-scan-dw", await make_staff(db, "desk-scan-dw", "desk", school=DONGWU)
    )
    refused = await other.post(f"/api/v1/staff/cases/{case['case_no']}/materials", data={"kind": "HUKOU_BOOKLET"},
                               files={"file": ("hk.png", PNG, "image/png")})  # fmt: skip
    assert refused.status_code == 404
    await desk.aclose()
    await other.aclose()


async def test_desk_page_files_a_scan(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database
) -> None:
    from tests.support.materials import PNG

    desk = await staff_client(
        web, "desk-page", await make_staff(db, "desk-page", "desk", school=PINGJIANG)
    )
    case = (await desk.post("/api/v1/staff/offline-cases", json={
        "segment": "primary", "guardian_id_number": LI, "child_id_number": LI_CHILD, "consent_signed": True,
        "originals_seen": ["HUKOU_BOOKLET"]})).json()  # fmt: skip
    page = await desk.get(f"/staff/cases/{case['case_no']}")
    assert "上传扫描件" in page.text
    posted = await desk.post(f"/staff/cases/{case['case_no']}/scan", data={"kind": "HUKOU_BOOKLET"},
                             files={"file": ("hk.png", PNG, "image/png")})  # fmt: skip
    assert (
        posted.status_code == 303
        and posted.headers["location"] == f"/staff/cases/{case['case_no']}"
    )
    assert "窗口扫描原件" in (await desk.get(f"/staff/cases/{case['case_no']}")).text
    await desk.aclose()
