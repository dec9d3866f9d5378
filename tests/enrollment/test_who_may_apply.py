"""Who may act for a child is settled at step 2, before a case exists, before any of the child's
data is shown and before any SMS leaves; one case per child, freed by a rejection or withdrawal;
the spouse code goes only to the other parent, not too often. Over real HTTP, with the sandbox."""

import asyncio
import re

import pytest
from sqlalchemy import func, select

from ruxue.cases.models import Case
from ruxue.kit.db import Database
from tests.support.flow import apply
from tests.support.helpers import ServerThread
from tests.support.materials import PNG, _at_materials_step
from tests.support.personas import CHEN, CHEN_CHILD, LI, LIU, WANG, WANG_CHILD, ZHOU
from tests.support.session import logged_in
from tests.support.sms import DONGWU, PINGJIANG, sms_count, sms_to
from tests.support.staff import make_staff, staff_client

# what a stranger must not learn about 王小明: name, masked name, ID, masked ID, hukou, birth record
WANG_CHILD_DATA = (
    "王小明",
    "王*明",
    WANG_CHILD,
    "320508********0213",
    "平江路",
    "P320000123",
    "GS-PJ-001",
    "HK320508000001",
)
START = {"segment": "primary", "child_id_number": WANG_CHILD, "consent": True}


async def case_count(db: Database) -> int:
    async with db.read_session() as session:
        return int(await session.scalar(select(func.count(Case.id))) or 0)


def assert_no_child_data(text: str) -> None:
    for item in WANG_CHILD_DATA:
        assert item not in text, item


async def test_a_stranger_is_refused_at_step_2_and_the_parent_then_applies(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database
) -> None:
    stranger = await logged_in(web, sandbox, CHEN)
    before = await sms_count(sandbox)
    refused = await stranger.post("/api/v1/cases", json=START)
    assert refused.status_code == 403 and refused.json()["error"] == "not_parent"
    assert "监护关系核验申请" in refused.json()["message"]
    assert_no_child_data(refused.text)
    page = await stranger.post("/apply/primary", data={"child_id": WANG_CHILD, "consent": "1"})
    assert page.status_code == 403 and 'id="guardianship-link"' in page.text
    assert_no_child_data(
        page.text.replace(WANG_CHILD, "", 1)
    )  # the input echoed back, nothing else
    assert await case_count(db) == 0 and (await stranger.get("/api/v1/cases")).json() == []
    assert await sms_count(sandbox) == before  # nobody was texted

    parent = await logged_in(web, sandbox, WANG)
    case = await apply(parent, sandbox, "primary", WANG_CHILD, LIU)
    assert case["outcome"] == "notice_issued" and case["notice_no"]
    for client in (stranger, parent):
        await client.aclose()


async def test_the_duplicate_answer_keeps_another_persons_case_unsaid(
    web: ServerThread, sandbox: ServerThread, schools: None
) -> None:
    father = await logged_in(web, sandbox, WANG)
    draft = (await father.post("/api/v1/cases", json=START)).json()
    again = await father.post("/api/v1/cases", json=START)  # his own draft: re-entered
    assert again.status_code == 201 and again.json()["case_no"] == draft["case_no"]
    mother = await logged_in(web, sandbox, LIU)
    api = await mother.post("/api/v1/cases", json=START)
    page = await mother.post("/apply/primary", data={"child_id": WANG_CHILD, "consent": "1"})
    for answer in (api, page):
        assert answer.status_code in (409, 400) and "联系户籍所在区教育局或学校" in answer.text
        assert draft["case_no"] not in answer.text and "草稿" not in answer.text
    assert api.status_code == 409 and "case_no" not in api.json()
    for client in (father, mother):
        await client.aclose()


async def test_a_withdrawn_case_frees_the_child_for_the_other_parent(
    web: ServerThread, sandbox: ServerThread, schools: None
) -> None:
    father = await logged_in(web, sandbox, WANG)
    draft = (await father.post("/api/v1/cases", json=START)).json()
    assert (await father.post(f"/api/v1/cases/{draft['case_no']}/withdraw")).status_code == 200
    kept = (await father.get(f"/cases/{draft['case_no']}")).text
    assert 'id="withdrawn-kept"' in kept and "按档案管理规定保存30年" in kept  # the setting's
    mother = await logged_in(web, sandbox, LIU)
    case = await mother.post("/api/v1/cases", json=START)
    assert case.status_code == 201 and case.json()["case_no"] != draft["case_no"]
    for client in (father, mother):
        await client.aclose()


async def _rejected_chen_case(web: ServerThread, sandbox: ServerThread, db: Database) -> str:
    """陈伟's case sent to review by an upload, then rejected by the 吴中区 reviewer."""
    guardian = await logged_in(web, sandbox, CHEN)
    no = await _at_materials_step(guardian)
    await guardian.post(
        f"/api/v1/cases/{no}/materials/upload",
        data={"kind": "BIRTH_CERTIFICATE"},
        files={"file": ("c.png", PNG, "image/png")},
    )
    await guardian.post(f"/api/v1/cases/{no}/materials/done")
    assert (await guardian.post(f"/api/v1/cases/{no}/submit")).json()["outcome"] == "manual_review"
    reviewer = await staff_client(
        web, "rev-wz", await make_staff(db, "rev-wz", "reviewer", district="320506")
    )
    rejected = await reviewer.post(f"/api/v1/review/cases/{no}/reject", json={"reason": "照片不清"})
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    for client in (guardian, reviewer):
        await client.aclose()
    return no


async def test_a_rejected_case_frees_the_child_online(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database
) -> None:
    first = await _rejected_chen_case(web, sandbox, db)
    mother = await logged_in(web, sandbox, ZHOU)
    again = await mother.post("/api/v1/cases", json={**START, "child_id_number": CHEN_CHILD})
    assert again.status_code == 201 and again.json()["case_no"] != first
    await mother.aclose()


async def test_a_rejected_case_frees_the_child_at_the_desk(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database
) -> None:
    first = await _rejected_chen_case(web, sandbox, db)
    desk = await staff_client(
        web, "desk-dw", await make_staff(db, "desk-dw", "desk", school=DONGWU)
    )
    body = {
        "segment": "primary",
        "guardian_id_number": CHEN,
        "child_id_number": CHEN_CHILD,
        "spouse_id_number": ZHOU,
        "consent_signed": True,
        "originals_seen": ["HUKOU_BOOKLET"],
    }
    done = await desk.post("/api/v1/staff/offline-cases", json=body)
    assert done.status_code == 201, done.text
    assert done.json()["case_no"] != first and done.json()["channel"] == "offline"
    await desk.aclose()


async def test_a_stranger_is_refused_at_the_desk_too(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database
) -> None:
    desk = await staff_client(
        web, "desk-pj", await make_staff(db, "desk-pj", "desk", school=PINGJIANG)
    )
    before = await sms_count(sandbox)
    body = {
        "segment": "primary",
        "guardian_id_number": CHEN,
        "child_id_number": WANG_CHILD,
        "consent_signed": True,
        "originals_seen": ["HUKOU_BOOKLET"],
        "phone": "13900000000",
    }
    refused = await desk.post("/api/v1/staff/offline-cases", json=body)
    assert refused.status_code == 403 and refused.json()["error"] == "not_parent"
    assert "监护关系核验申请" in refused.json()["message"]
    assert_no_child_data(refused.text)
    page = await desk.post(
        "/staff/desk/register",
        data={"guardian_id": CHEN, "child_id": WANG_CHILD, "consent_signed": "1"},
    )
    assert page.status_code == 403 and "监护关系核验申请" in page.text  # the form, shown again
    assert_no_child_data(re.sub(r'value="[^"]*"', "", page.text))  # but what the desk typed
    assert await case_count(db) == 0 and await sms_count(sandbox) == before
    parent = {**body, "guardian_id_number": WANG, "spouse_id_number": LIU}
    done = await desk.post("/api/v1/staff/offline-cases", json=parent)
    assert done.status_code == 201 and done.json()["status"] == "notice_issued"
    await desk.aclose()


async def test_the_spouse_code_goes_only_to_the_other_parent_and_not_too_often(
    web: ServerThread, sandbox: ServerThread, schools: None
) -> None:
    father = await logged_in(web, sandbox, WANG)
    no = (await father.post("/api/v1/cases", json=START)).json()["case_no"]
    url = f"/api/v1/cases/{no}/spouse/code"
    to_li = len(await sms_to(sandbox, LI))
    wrong = await father.post(url, json={"spouse_id_number": LI})
    assert wrong.status_code == 400 and "不是学生的父亲或母亲" in wrong.json()["message"]
    page = await father.post(f"/cases/{no}/spouse/code", data={"spouse_id": LI})
    assert page.status_code == 400 and "不是学生的父亲或母亲" in page.text
    assert len(await sms_to(sandbox, LI)) == to_li  # nothing went to a stranger
    to_liu = len(await sms_to(sandbox, LIU))
    sent = await father.post(url, json={"spouse_id_number": LIU})
    assert sent.status_code == 200 and sent.json()["txn"]
    assert len(await sms_to(sandbox, LIU)) == to_liu + 1
    again = await father.post(url, json={"spouse_id_number": LIU})
    assert again.status_code == 429 and "发送过于频繁" in again.json()["message"]
    assert 0 < int(again.headers["retry-after"]) <= 60
    page = await father.post(f"/cases/{no}/spouse/code", data={"spouse_id": LIU})
    assert page.status_code == 429 and "发送过于频繁" in page.text
    assert len(await sms_to(sandbox, LIU)) == to_liu + 1
    await father.aclose()


async def test_the_rate_limit_counts_per_case_and_per_person(db: Database) -> None:
    """One code a minute per case; a person (the other parent of twins) is sent one for each
    child at once, but no more than five a day."""
    from ruxue.identity.repository import TooSoon, take_send

    async with db.write_session() as session:
        await take_send(session, ["case:A", "person:X"], "验证码")
    with pytest.raises(TooSoon) as caught:
        async with db.write_session() as session:
            await take_send(session, ["case:A", "person:X"], "验证码")
    assert 0 < caught.value.retry_after <= 60
    for case in "BCDE":  # the same person for four more cases: allowed, five in the day
        async with db.write_session() as session:
            await take_send(session, [f"case:{case}", "person:X"], "验证码")
    with pytest.raises(TooSoon) as daily:
        async with db.write_session() as session:
            await take_send(session, ["case:F", "person:X"], "验证码")
    assert 60 < daily.value.retry_after <= 24 * 3600


async def test_concurrent_sends_for_one_key_let_one_through(db: Database) -> None:
    from ruxue.identity.repository import TooSoon, take_send

    async def one() -> bool:
        try:
            async with db.write_session() as session:
                await take_send(session, ["case:C", "person:Y"], "验证码")
        except TooSoon:
            return False
        return True

    assert sorted(await asyncio.gather(*(one() for _ in range(6)))) == [False] * 5 + [True]
