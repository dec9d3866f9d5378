"""Issue 23: the desk sees what the departments returned, masked, on the case page it lands on
after 核验并提交 (the decision is the rules', made as the case is registered)."""

import re

from ruxue.kit.db import Database
from ruxue.review.views import unanswered
from tests.support.helpers import ServerThread
from tests.support.review import BOTH, PINGJIANG, SUN, SUN_CHILD, WU
from tests.support.staff import make_staff, staff_client

ID_NUMBER = re.compile(r"\d{17}[\dXx]")


async def test_the_desk_lands_on_the_departments_answers_masked(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database
) -> None:
    desk = await staff_client(web, "desk-da", await make_staff(db, "desk-da", "desk", PINGJIANG))
    registered = await desk.post(
        "/api/v1/staff/offline-cases",
        json={
            "segment": "primary",
            "guardian_id_number": SUN,
            "child_id_number": SUN_CHILD,
            "spouse_id_number": WU,
            "consent_signed": True,
            "originals_seen": ["HUKOU_BOOKLET", *BOTH],
        },
    )
    assert registered.status_code in (200, 201), registered.text
    page = (await desk.get(f"/staff/cases/{registered.json()['case_no']}")).text
    facts = re.search(r'<div class="card" id="facts">(.*?)</div>', page, re.S)
    assert facts, page
    for label in ("学生", "学生户籍地址", "监护人", "配偶", "是否同一户口簿", "入学房产"):
        assert f"<dt>{label}" in facts.group(1), label
    assert "来源：资规（不动产登记）" in facts.group(1) and not ID_NUMBER.search(facts.group(1))
    assert 'id="unanswered"' not in page  # every department answered
    await desk.aclose()


def test_a_department_that_did_not_answer_is_named() -> None:
    assert unanswered({"residences", "student_status"}) == ["省学籍系统", "资规（不动产登记）"]
    assert unanswered(set()) == []
