"""The seven steps through the JSON API, against the sandbox over HTTP, for the example families."""

import asyncio
import datetime as dt

import httpx
import pytest
from sqlalchemy import select

from ruxue.kit.db import Database
from ruxue.notify.gateway import SmsGateway
from ruxue.notify.models import Notification
from ruxue.notify.tasks import send_pending
from ruxue.person.rules import make_id_number
from ruxue.sandbox.idp import phone_of
from ruxue.settings import Settings
from tests.support.flow import apply
from tests.support.helpers import ServerThread
from tests.support.notice import downloaded
from tests.support.personas import (
    CHEN,
    CHEN_CHILD,
    LI,
    LI_CHILD,
    LIU,
    WANG,
    WANG_CHILD,
    ZHAO,
    ZHAO_CHILD,
    ZHOU,
)
from tests.support.session import logged_in
from tests.support.tools import checked_pdf_text


@pytest.mark.parametrize(("segment", "guardian", "child", "spouse", "school", "category"), [
    ("primary", WANG, WANG_CHILD, LIU, "苏州市平江实验学校", "A"),
    ("primary", LI, LI_CHILD, None, "苏州市平江实验学校", "C"),
    ("primary", CHEN, CHEN_CHILD, ZHOU, "苏州市吴中区东吴实验小学", "A"),
    ("junior", ZHAO, ZHAO_CHILD, None, "苏州市第十六中学", "C"),
])  # fmt: skip
async def test_example_families_get_their_notice(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database, settings: Settings,
    segment: str, guardian: str, child: str, spouse: str | None, school: str, category: str,
) -> None:  # fmt: skip
    http = await logged_in(web, sandbox, guardian)
    case = await apply(http, sandbox, segment, child, spouse)
    assert (case["outcome"], case["school_name"], case["category"][0]) == (
        "notice_issued",
        school,
        category,
    )
    pdf = await downloaded(http, db, settings, case["notice_url"])
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = await asyncio.to_thread(checked_pdf_text, pdf.content)
    assert school in text and case["notice_no"] in text
    await http.aclose()


async def test_one_case_per_child_and_guardians_see_only_their_own(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database, settings: Settings,
) -> None:  # fmt: skip
    wang = await logged_in(web, sandbox, WANG)
    case = await apply(wang, sandbox, "primary", WANG_CHILD, LIU)
    again = await wang.post(
        "/api/v1/cases", json={"segment": "primary", "child_id_number": WANG_CHILD, "consent": True}
    )
    assert again.status_code == 409 and again.json()["case_no"] == case["case_no"]
    assert "不能重复报名" in again.json()["message"]
    mother = await logged_in(web, sandbox, LIU)  # the other parent tries too
    other = await mother.post(
        "/api/v1/cases", json={"segment": "primary", "child_id_number": WANG_CHILD, "consent": True}
    )
    assert other.status_code == 409 and "case_no" not in other.json()  # not hers: number unsaid
    assert case["case_no"] not in other.text and "已办结" not in other.text
    assert "联系户籍所在区教育局或学校" in other.json()["message"]
    assert (await mother.get(f"/api/v1/cases/{case['case_no']}")).status_code == 404
    notice = await downloaded(mother, db, settings, f"/api/v1/cases/{case['case_no']}/notice.pdf")
    assert notice.status_code == 200  # she authorised step 3: she may read the notice (issue 23)
    assert (await mother.get("/api/v1/cases")).json() == []

    verify = await wang.get("/verify/" + case["verify_url"].split("/verify/")[1])
    assert verify.status_code == 200 and "有效" in verify.text
    for personal in ("王小明", "王*明", WANG_CHILD, "320508********0213"):
        assert personal not in verify.text
    assert (await wang.get("/verify/forged-code")).status_code == 404

    sent = await send_pending(db, SmsGateway(settings.sms_url))
    assert sent == 1
    async with db.read_session() as session:
        assert (await session.scalars(select(Notification.status))).all() == ["sent"]
    async with httpx.AsyncClient(base_url=sandbox.url) as http:
        assert case["case_no"] in (await http.get("/_sandbox/sms")).json()[0]["text"]
        to_spouse = (await http.get("/_sandbox/sms", params={"phone": phone_of(LIU)})).json()
        assert to_spouse and all(m["phone"] == phone_of(LIU) for m in to_spouse)
        assert (
            "验证码" in to_spouse[0]["text"]
        )  # the spouse got the authorisation code, nothing else
    tracker = (await wang.get("/api/v1/me/data-tracker")).json()
    assert {t["department_name"] for t in tracker} >= {
        "公安（户籍）",
        "资规（不动产登记）",
        "民政（婚姻登记）",
    }
    for client in (wang, mother):
        await client.aclose()


async def test_bad_input_is_refused_clearly(
    web: ServerThread, sandbox: ServerThread, schools: None
) -> None:
    http = await logged_in(web, sandbox, WANG)
    bad = await http.post(
        "/api/v1/cases",
        json={"segment": "primary", "child_id_number": WANG_CHILD[:-1] + "4", "consent": True},
    )
    assert bad.status_code == 400 and "校验位" in bad.json()["message"]
    unknown = await http.post(
        "/api/v1/cases",
        json={
            "segment": "primary",
            "child_id_number": make_id_number("110101", dt.date(2019, 10, 1), 12),
            "consent": True,
        },
    )
    # one answer for an unknown number and another family's child (issue 22: no oracle)
    assert unknown.status_code == 403 and unknown.json()["error"] == "not_parent"
    assert (await http.get("/api/v1/cases")).json() == []  # nothing half-written
    case = (
        await http.post(
            "/api/v1/cases",
            json={"segment": "primary", "child_id_number": WANG_CHILD, "consent": True},
        )
    ).json()
    wrong = await http.post(
        f"/api/v1/cases/{case['case_no']}/spouse/code", json={"spouse_id_number": LI}
    )  # not the other parent: refused before any code is sent
    assert wrong.status_code == 400 and "不是学生的父亲或母亲" in wrong.json()["message"]
    early = await http.post(f"/api/v1/cases/{case['case_no']}/submit")
    assert early.status_code == 409
    await http.aclose()


async def test_withdrawal_ends_the_consents_and_frees_the_child(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database
) -> None:
    from ruxue.exchange.models import Consent

    http = await logged_in(web, sandbox, LI)
    body = {"segment": "primary", "child_id_number": LI_CHILD, "consent": True}
    first = (await http.post("/api/v1/cases", json=body)).json()
    withdrawn = await http.post(f"/api/v1/cases/{first['case_no']}/withdraw")
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    async with db.read_session() as session:
        consents = (await session.scalars(select(Consent))).all()
    assert consents and all(c.withdrawn_at is not None for c in consents)
    refused = await http.post(f"/api/v1/cases/{first['case_no']}/checks")
    assert refused.status_code == 409  # no department is asked for a withdrawn case
    again = await http.post("/api/v1/cases", json=body)
    assert again.status_code == 201 and again.json()["case_no"] != first["case_no"]
    await http.aclose()


async def test_two_submissions_at_once_give_one_decision_and_a_plain_refusal(
    web: ServerThread, sandbox: ServerThread, schools: None
) -> None:
    """Two tabs submit the same case at the same moment: one decides, the other is told the case
    is already submitted (not asked to retry), and the trace holds one submission."""
    http = await logged_in(web, sandbox, LI)
    created = await http.post(
        "/api/v1/cases", json={"segment": "primary", "child_id_number": LI_CHILD, "consent": True}
    )
    no = created.json()["case_no"]
    for step in ("single-parent", "checks"):
        assert (await http.post(f"/api/v1/cases/{no}/{step}")).status_code == 200
    homes = (await http.get(f"/api/v1/cases/{no}/residences")).json()
    await http.post(f"/api/v1/cases/{no}/residence", json={"cert_no": homes["suggested"]})
    assert (await http.post(f"/api/v1/cases/{no}/materials/done")).status_code == 200
    answers = await asyncio.gather(*(http.post(f"/api/v1/cases/{no}/submit") for _ in range(2)))
    assert sorted(a.status_code for a in answers) == [200, 409]
    refused = next(a for a in answers if a.status_code == 409).json()
    assert refused["error"] == "step_order" and "已提交" in refused["message"]
    trace = (await http.get(f"/api/v1/cases/{no}")).json()
    assert trace["outcome"] == "notice_issued"
    await http.aclose()
