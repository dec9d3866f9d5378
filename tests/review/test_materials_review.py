"""A case that needs materials, to the end, over HTTP: the 孙 family (split booklets, no birth or
marriage certificate on file) answers on the status page and the API; the reviewer cannot approve
while a material is missing; double actions are harmless; the internal note stays with staff."""

import datetime as dt

import pytest
from sqlalchemy import func, select

from ruxue.cases.models import CaseEvent
from ruxue.kit.db import Database
from ruxue.notify.models import Notification
from ruxue.staff.models import AuditEntry
from tests.support.helpers import ServerThread
from tests.support.review import (
    BOTH,
    GUSU,
    PINGJIANG,
    SUN,
    SUN_CHILD,
    WU,
    sun_needs_materials,
    upload,
)
from tests.support.staff import make_staff, staff_client

INTERNAL = "内部：出生证照片边角模糊，电话核实过"


async def count(db: Database, model: type, **where: object) -> int:
    async with db.read_session() as session:
        query = select(func.count()).select_from(model).filter_by(**where)
        return int(await session.scalar(query) or 0)


async def test_uploads_send_the_case_to_review_and_approval_needs_every_material(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database
) -> None:
    guardian, no = await sun_needs_materials(web, sandbox)
    reviewer = await staff_client(
        web, "rev-gs1", await make_staff(db, "rev-gs1", "reviewer", district=GUSU)
    )
    body = {"school_code": PINGJIANG, "category": "A", "message": "", "internal_note": INTERNAL}

    blocked = await reviewer.post(f"/api/v1/review/cases/{no}/approve", json=body)
    assert blocked.status_code == 409 and blocked.json()["error"] == "materials_missing"
    assert "出生医学证明（尚未提供）" in blocked.json()["message"]

    one = await upload(guardian, no, "BIRTH_CERTIFICATE")
    assert one.status_code == 200 and one.json()["status"] == "needs_materials"
    assert [m["state"] for m in one.json()["materials"]] == ["upload", None]
    bring = await guardian.post(
        f"/api/v1/cases/{no}/materials/bring", json={"kind": "MARRIAGE_CERTIFICATE", "how": "bring"}
    )
    assert bring.json()["status"] == "needs_materials"  # a promise to bring is not the material
    blocked = await reviewer.post(f"/api/v1/review/cases/{no}/approve", json=body)
    assert "结婚证（监护人将携带原件，尚未核验）" in blocked.json()["message"]

    done = await upload(guardian, no, "MARRIAGE_CERTIFICATE")  # changes its mind: uploads it
    assert (done.json()["status"], done.json()["reasons"]) == (
        "manual_review",
        ["UPLOADED_MATERIALS"],
    )
    queue = (await reviewer.get("/api/v1/review/queue")).json()
    assert [(c["case_no"], c["waiting_days"]) for c in queue] == [(no, 0)]

    unknown = await reviewer.post(
        f"/api/v1/review/cases/{no}/approve", json={**body, "category": "Z"}
    )
    assert unknown.status_code == 400 and "入学顺位" in unknown.json()["message"]  # issue 22: a 500

    events, sms = await count(db, CaseEvent), await count(db, Notification, case_no=no)
    approved = await reviewer.post(f"/api/v1/review/cases/{no}/approve", json=body)
    assert approved.status_code == 200 and approved.json()["status"] == "notice_issued"
    again = await reviewer.post(f"/api/v1/review/cases/{no}/approve", json=body)
    assert again.status_code == 409 and again.json()["error"] == "already_handled"
    assert "已处理" in again.json()["message"]
    assert (  # one approval and its notice_issued event, one SMS: the second did nothing
        await count(db, CaseEvent) == events + 2
        and await count(db, Notification, case_no=no) == sms + 1
    )
    assert (await guardian.get(f"/api/v1/cases/{no}")).json()["notice_no"]
    for client in (guardian, reviewer):
        await client.aclose()


@pytest.mark.slow
async def test_the_guardian_sees_the_message_and_never_the_internal_note(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database
) -> None:
    guardian, no = await sun_needs_materials(web, sandbox)
    for kind in BOTH:
        await upload(guardian, no, kind)
    reviewer = await staff_client(
        web, "rev-gs2", await make_staff(db, "rev-gs2", "reviewer", district=GUSU)
    )
    asked = {
        "materials": ["BIRTH_CERTIFICATE"],
        "message": "请重新上传清晰的出生医学证明",
        "internal_note": INTERNAL,
    }
    first = await reviewer.post(f"/api/v1/review/cases/{no}/request-materials", json=asked)
    assert first.status_code == 200 and first.json()["missing"] == ["BIRTH_CERTIFICATE"]
    second = await reviewer.post(f"/api/v1/review/cases/{no}/request-materials", json=asked)
    assert second.status_code == 409 and second.json()["error"] == "already_handled"
    assert await count(db, Notification, case_no=no) == 3  # submit, review, the one request

    api = (await guardian.get(f"/api/v1/cases/{no}")).text
    page = (await guardian.get(f"/cases/{no}")).text
    assert "请重新上传清晰的出生医学证明" in api and "请重新上传清晰的出生医学证明" in page
    async with db.read_session() as session:
        texts = (
            await session.scalars(select(Notification.text).where(Notification.case_no == no))
        ).all()
    for seen_by_guardian in (api, page, *texts):
        assert INTERNAL not in seen_by_guardian and "内部" not in seen_by_guardian
    staff_page = (await reviewer.get(f"/staff/cases/{no}")).text
    assert INTERNAL in staff_page  # staff see it, in the history
    assert "区教育局 rev-gs2" in staff_page and "监护人（网上）" in staff_page  # issue 23: who
    assert "guardian:" not in staff_page
    for client in (guardian, reviewer):
        await client.aclose()


@pytest.mark.slow
async def test_the_desk_completes_originals_once_and_the_rules_issue_the_notice(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database
) -> None:
    guardian, no = await sun_needs_materials(web, sandbox)
    for kind in BOTH:
        answer = await guardian.post(
            f"/api/v1/cases/{no}/materials/bring", json={"kind": kind, "how": "bring"}
        )
        assert answer.status_code == 200
    desk = await staff_client(
        web, "desk-pj-m", await make_staff(db, "desk-pj-m", "desk", school=PINGJIANG)
    )
    page = await desk.get(f"/staff/cases/{no}")  # the school the originals go to sees the case
    assert page.status_code == 200 and "将携带原件" in page.text
    seen = {"materials": BOTH, "keyed_in": {"BIRTH_CERTIFICATE": "P320000999"}}
    done = await desk.post(f"/api/v1/staff/cases/{no}/originals", json=seen)
    assert done.status_code == 200, done.text
    assert (done.json()["status"], done.json()["category"]) == ("notice_issued", "A")
    events = await count(db, CaseEvent)
    again = await desk.post(f"/api/v1/staff/cases/{no}/originals", json=seen)
    assert again.status_code == 409 and "已处理" in again.json()["message"]
    assert await count(db, CaseEvent) == events
    assert await count(db, AuditEntry, action="originals_seen") == 1
    async with db.read_session() as session:
        actors = (
            await session.scalars(
                select(CaseEvent.actor).where(CaseEvent.action == "originals_seen")
            )
        ).all()
    assert actors == ["staff:desk-pj-m"]
    assert (await desk.get(f"/api/v1/staff/cases/{no}/notice.pdf")).status_code == 200
    for client in (guardian, desk):
        await client.aclose()


async def test_answers_close_with_the_registration_window(
    web: ServerThread, sandbox: ServerThread, schools: None, settings: object
) -> None:
    guardian, no = await sun_needs_materials(web, sandbox)
    clock = web.server.config.app.state.settings  # type: ignore[attr-defined]
    before = clock.now
    clock.now = dt.datetime(2026, 8, 1, 2, 0, tzinfo=dt.UTC)  # after the window closed
    try:
        late = await upload(guardian, no, "BIRTH_CERTIFICATE")
        page = await guardian.get(f"/cases/{no}")
    finally:
        clock.now = before
    assert late.status_code == 409 and late.json()["error"] == "window_closed"
    assert 'id="materials-closed"' in page.text and 'id="file-BIRTH_CERTIFICATE"' not in page.text
    await guardian.aclose()


async def test_an_offline_registration_missing_certificates_is_completed_at_the_desk(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database
) -> None:
    desk = await staff_client(
        web, "desk-pj-o", await make_staff(db, "desk-pj-o", "desk", school=PINGJIANG)
    )
    registered = await desk.post(
        "/api/v1/staff/offline-cases",
        json={
            "segment": "primary",
            "guardian_id_number": SUN,
            "child_id_number": SUN_CHILD,
            "spouse_id_number": WU,
            "consent_signed": True,
            "originals_seen": ["HUKOU_BOOKLET"],
        },
    )
    case = registered.json()
    assert (case["status"], case["missing"]) == ("needs_materials", BOTH)
    page = await desk.get(f"/staff/cases/{case['case_no']}")
    assert page.status_code == 200 and 'id="originals-form"' in page.text
    half = await desk.post(
        f"/api/v1/staff/cases/{case['case_no']}/originals", json={"materials": BOTH[:1]}
    )
    assert half.json()["status"] == "needs_materials"  # one still missing: not decided yet
    done = await desk.post(
        f"/api/v1/staff/cases/{case['case_no']}/originals", json={"materials": BOTH[1:]}
    )
    assert (done.json()["status"], done.json()["school_code"]) == ("notice_issued", PINGJIANG)
    await desk.aclose()
