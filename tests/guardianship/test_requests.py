"""A guardianship request (监护关系核验申请): filed by someone who is not a parent, the parents
told by SMS, decided by the district's reviewer, audited; it never takes the child's one case,
and once approved its applicant may apply. 陈伟 (吴中区) asks to act for 李思琪 (姑苏区)."""

import datetime as dt

import httpx
import pytest
from sqlalchemy import select

from ruxue.cases.models import Case, CaseEvent
from ruxue.kit.db import Database
from ruxue.notify.gateway import SmsGateway
from ruxue.notify.tasks import send_pending
from ruxue.settings import Settings
from ruxue.staff.models import AuditEntry
from tests.support.guardianship import FILE
from tests.support.helpers import ServerThread
from tests.support.personas import CHEN, LI, LI_CHILD, WANG
from tests.support.session import logged_in
from tests.support.sms import sms_count, sms_to
from tests.support.staff import make_staff, staff_client

LI_CHILD_DATA = ("李思琪", "李*琪", "仓街", "P320000456", "HK320508000002")
START = {"segment": "primary", "child_id_number": LI_CHILD, "consent": True}


async def test_a_request_is_filed_told_to_the_parents_decided_and_then_lets_its_applicant_apply(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database, settings: Settings
) -> None:
    grandpa = await logged_in(web, sandbox, CHEN)
    to_mother = len(await sms_to(sandbox, LI))
    filed = await grandpa.post("/api/v1/guardianship", json=FILE)
    assert filed.status_code == 201, filed.text
    no = filed.json()["request_no"]
    assert filed.json()["status"] == "pending" and filed.json()["child_id_masked"] != LI_CHILD
    for item in (*LI_CHILD_DATA, LI, LI_CHILD):
        assert item not in filed.text, item
    told = await sms_to(sandbox, LI)  # the mother (the only parent on record) was texted
    assert len(told) == to_mother + 1 and no in told[0]["text"] and "祖父母" in told[0]["text"]
    twice = await grandpa.post("/api/v1/guardianship", json=FILE)
    assert twice.status_code == 400 and "请勿重复提交" in twice.json()["message"]
    assert [r["request_no"] for r in (await grandpa.get("/api/v1/guardianship")).json()] == [no]

    mother = await logged_in(web, sandbox, LI)  # the request does not hold the child's case
    draft = await mother.post("/api/v1/cases", json=START)
    assert draft.status_code == 201
    assert (
        await mother.post(f"/api/v1/cases/{draft.json()['case_no']}/withdraw")
    ).status_code == 200
    assert (await grandpa.post("/api/v1/cases", json=START)).status_code == 403  # not yet approved

    gusu = await staff_client(
        web, "rev-gs", await make_staff(db, "rev-gs", "reviewer", district="320508")
    )
    wuzhong = await staff_client(
        web, "rev-wz", await make_staff(db, "rev-wz", "reviewer", district="320506")
    )
    assert (await wuzhong.get("/api/v1/review/guardianship")).json() == []
    assert (
        await wuzhong.post(f"/api/v1/review/guardianship/{no}/approve", json={})
    ).status_code == 404
    [queued] = (await gusu.get("/api/v1/review/guardianship")).json()
    assert queued["request_no"] == no and queued["child_name_masked"] == "李*琪"
    assert queued["applicant_name_masked"] == "陈*" and queued["note"] == "孩子由我抚养"
    page = await gusu.get("/staff/guardianship")
    assert page.status_code == 200 and no in page.text and "已发短信" in page.text
    detail = (await gusu.get(f"/api/v1/review/guardianship/{no}")).json()
    assert [h["action"] for h in detail["history"]] == ["filed", "records", "parents_told"]
    assert detail["history"][2]["detail"]["parents"] == [
        {"parent": "320508********0629", "sent": True}
    ]
    approved = await gusu.post(
        f"/api/v1/review/guardianship/{no}/approve",
        json={"reason": "户籍证明属实", "basis": "court_order"},
    )
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    again = await gusu.post(f"/api/v1/review/guardianship/{no}/reject", json={"reason": "x"})
    assert again.status_code == 400  # decided once
    async with db.read_session() as session:
        actions = (
            await session.scalars(select(AuditEntry.action).where(AuditEntry.target == no))
        ).all()
    assert {"guardianship_view", "guardianship_approve"} <= set(actions)

    await send_pending(db, SmsGateway(settings.sms_url))
    assert (
        no in (await sms_to(sandbox, CHEN))[0]["text"]
        and "已通过" in (await sms_to(sandbox, CHEN))[0]["text"]
    )
    case = await grandpa.post("/api/v1/cases", json=START)
    assert case.status_code == 201, case.text
    case_no = case.json()["case_no"]
    assert case.json()["step"] == 4  # a court-appointed guardian applies alone: no step 3
    assert (await grandpa.post(f"/api/v1/cases/{case_no}/checks")).status_code == 200
    await grandpa.post(f"/api/v1/cases/{case_no}/residence", json={"cert_no": None})
    await grandpa.post(f"/api/v1/cases/{case_no}/materials/done")
    decided = (await grandpa.post(f"/api/v1/cases/{case_no}/submit")).json()
    assert "GUARDIANSHIP_UNVERIFIED" not in decided["reasons"], decided  # a reviewer verified it
    async with db.read_session() as session:
        consent = (
            await session.scalars(
                select(CaseEvent)
                .join(Case, Case.id == CaseEvent.case_id)
                .where(Case.case_no == case_no, CaseEvent.action == "consent")
            )
        ).all()
    assert [e.detail["guardianship_request"] for e in consent] == [no]
    for client in (grandpa, mother, gusu, wuzhong):
        await client.aclose()


@pytest.mark.slow
async def test_a_rejected_request_needs_a_reason_and_a_parent_need_not_file(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database
) -> None:
    grandpa = await logged_in(web, sandbox, WANG)
    no = (await grandpa.post("/api/v1/guardianship", json=FILE)).json()["request_no"]
    gusu = await staff_client(
        web, "rev-gs2", await make_staff(db, "rev-gs2", "reviewer", district="320508")
    )
    bare = await gusu.post(f"/api/v1/review/guardianship/{no}/reject", json={"reason": " "})
    assert bare.status_code == 400 and "理由" in bare.json()["message"]
    page = await gusu.post(
        f"/staff/guardianship/{no}", data={"action": "reject", "reason": "无监护依据"}
    )
    assert page.status_code == 303
    mine = (await grandpa.get("/api/v1/guardianship")).json()
    assert (mine[0]["status"], mine[0]["reason"]) == ("rejected", "无监护依据")
    assert (await grandpa.post("/api/v1/cases", json=START)).status_code == 403
    before = await sms_count(sandbox)  # filing again at once would text the parents again
    form = {"child_id": LI_CHILD, "relationship": "grandparent", "note": "再次申请"}
    refiled = await grandpa.post("/guardianship", data=form)
    assert refiled.status_code == 429 and "过于频繁" in refiled.text
    assert await sms_count(sandbox) == before

    mother = await logged_in(web, sandbox, LI)
    before = await sms_count(sandbox)
    own = await mother.post("/api/v1/guardianship", json=FILE)
    assert own.status_code == 400 and "可直接报名" in own.json()["message"]
    assert await sms_count(sandbox) == before
    form = await mother.get("/guardianship")
    assert form.status_code == 200 and "监护关系核验申请" in form.text
    for client in (grandpa, gusu, mother):
        await client.aclose()


async def test_a_parent_without_an_account_is_recorded_as_not_texted(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database, settings: Settings
) -> None:
    """The app knows no parent's phone: a parent the identity platform does not know (here a
    number outside the dataset) cannot be texted, and the history says so."""
    from ruxue.guardianship import repository as repo
    from ruxue.guardianship.service import Filing, tell_parents
    from ruxue.person.rules import make_id_number

    grandpa = await logged_in(web, sandbox, CHEN)
    form = {"child_id": LI_CHILD, "relationship": "court_appointed", "note": "法院判决书"}
    filed = await grandpa.post("/guardianship", data=form)
    assert filed.status_code == 303
    no = httpx.URL(filed.headers["location"]).params["filed"]
    page = await grandpa.get(filed.headers["location"])
    assert no in page.text and "法院指定的监护人" in page.text and "待审核" in page.text
    assert "李思琪" not in page.text and "李*琪" not in page.text
    unknown = make_id_number("320508", dt.date(1985, 3, 3), 11)
    async with db.read_session() as session:
        request = await repo.by_no(session, no)
    told = await tell_parents(db, settings, Filing(request, [LI, unknown]))
    assert [t["sent"] for t in told] == [True, False] and told[1]["why"] == "no_account"
    async with db.read_session() as session:
        history = await repo.events_of(session, await repo.by_no(session, no))
    assert history[-1].action == "parents_told" and history[-1].detail["parents"] == told
    await grandpa.aclose()


async def test_an_approved_guardian_may_register_at_the_desk(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database
) -> None:
    grandpa = await logged_in(web, sandbox, CHEN)
    no = (await grandpa.post("/api/v1/guardianship", json=FILE)).json()["request_no"]
    desk = await staff_client(
        web, "desk-pj", await make_staff(db, "desk-pj", "desk", school="3205080101")
    )
    body = {
        "segment": "primary",
        "guardian_id_number": CHEN,
        "child_id_number": LI_CHILD,
        "consent_signed": True,
        "originals_seen": ["HUKOU_BOOKLET"],
    }
    assert (await desk.post("/api/v1/staff/offline-cases", json=body)).status_code == 403
    gusu = await staff_client(
        web, "rev-gs3", await make_staff(db, "rev-gs3", "reviewer", district="320508")
    )
    assert (
        await gusu.post(f"/api/v1/review/guardianship/{no}/approve", json={"basis": "court_order"})
    ).status_code == 200
    done = await desk.post("/api/v1/staff/offline-cases", json=body)
    assert done.status_code == 201, done.text
    assert "GUARDIANSHIP_UNVERIFIED" not in done.json()["reasons"]
    for client in (grandpa, desk, gusu):
        await client.aclose()


async def test_documents_go_to_the_districts_reviewer_only(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database
) -> None:
    from tests.support.materials import PNG

    grandpa = await logged_in(web, sandbox, CHEN)
    no = (await grandpa.post("/api/v1/guardianship", json=FILE)).json()["request_no"]
    url = f"/api/v1/guardianship/{no}/documents"
    fake = await grandpa.post(url, files={"file": ("order.pdf", b"not a pdf", "application/pdf")})
    assert fake.status_code == 400 and "PDF、JPG 或 PNG" in fake.json()["message"]
    sent = await grandpa.post(url, files={"file": ("判决书.png", PNG, "image/png")})
    assert sent.status_code == 201, sent.text
    page = await grandpa.post(
        f"/guardianship/{no}/documents", files={"file": ("户口簿.png", PNG, "image/png")}
    )
    assert page.status_code == 303
    other = await logged_in(web, sandbox, WANG)
    assert (await other.post(url, files={"file": ("x.png", PNG, "image/png")})).status_code == 404

    gusu = await staff_client(
        web, "rev-gs4", await make_staff(db, "rev-gs4", "reviewer", district="320508")
    )
    wuzhong = await staff_client(
        web, "rev-wz4", await make_staff(db, "rev-wz4", "reviewer", district="320506")
    )
    detail = (await gusu.get(f"/api/v1/review/guardianship/{no}")).json()
    assert [d["filename"] for d in detail["documents"]] == ["判决书.png", "户口簿.png"]
    doc = f"/api/v1/review/guardianship/{no}/documents/{detail['documents'][0]['id']}"
    got = await gusu.get(doc)
    assert got.status_code == 200 and got.content == PNG
    assert (await wuzhong.get(doc)).status_code == 404
    async with db.read_session() as session:
        seen = (
            await session.scalars(
                select(AuditEntry).where(AuditEntry.action == "guardianship_document_view")
            )
        ).all()
    assert [(a.username, a.target) for a in seen] == [("rev-gs4", no)]
    await gusu.post(f"/api/v1/review/guardianship/{no}/reject", json={"reason": "材料不足"})
    late = await grandpa.post(url, files={"file": ("x.png", PNG, "image/png")})
    assert late.status_code == 400 and "已审核" in late.json()["message"]
    for client in (grandpa, other, gusu, wuzhong):
        await client.aclose()
