"""Every status a family can meet, on the guardian's pages, the staff case pages and the API: the
words are Chinese, nothing prints as None, times are Beijing time on the app's clock, and the
API gives each code with its label beside it."""

import asyncio
import re
from pathlib import Path

import httpx
import pytest
from openapi_spec_validator import validate

from ruxue.kit.db import Database
from ruxue.policy.explain import CATEGORIES, SEGMENTS, STATUSES
from ruxue.policy.loader import CHINA
from ruxue.settings import Settings
from tests.support.cohort_cases import shipped_policy
from tests.support.flow import apply
from tests.support.helpers import ServerThread
from tests.support.materials import PNG, _at_materials_step
from tests.support.notice import downloaded
from tests.support.personas import CHEN, LI, LI_CHILD, LIU, WANG, WANG_CHILD, ZHAO, ZHAO_CHILD
from tests.support.review import BOTH, PINGJIANG, sun_needs_materials
from tests.support.session import last_sms_code, logged_in
from tests.support.staff import make_staff, staff_client
from tests.support.tools import checked_pdf_text
from tests.support.web import visible

CODES = [*STATUSES, "pending", "None", "null", "online", "offline", "system", "guardian", "primary"]
CODES += ["junior"]
ENGLISH = re.compile(r"(?<![A-Za-z_])(" + "|".join(CODES) + r")(?![A-Za-z_])")
TIME = re.compile(r"\b\d{2}-\d{2} \d{2}:\d{2}\b")


class Pages:
    """Reads pages and API answers, and checks each one as it goes."""

    def __init__(self, settings: Settings) -> None:
        assert settings.now is not None
        self.clock = f"{settings.now.astimezone(CHINA):%m-%d %H:%M}"  # Beijing time, app clock
        self.statuses_seen: set[str] = set()

    async def page(self, http: httpx.AsyncClient, path: str) -> str:
        response = await http.get(path)
        assert response.status_code == 200, (path, response.status_code)
        assert response.headers["content-type"].startswith("text/html"), path
        text = visible(response.text)
        assert ENGLISH.search(text) is None, (path, ENGLISH.search(text), text)
        times = TIME.findall(text)
        assert all(t == self.clock for t in times), (path, times, self.clock)
        return text

    async def case(self, http: httpx.AsyncClient, no: str, status: str) -> dict:  # type: ignore[type-arg]
        view = (await http.get(f"/api/v1/cases/{no}")).json()
        assert view["status"] == status and view["status_label"] == STATUSES[status]
        assert view["segment"] in SEGMENTS and view["segment_label"] == SEGMENTS[view["segment"]]
        assert view["channel"] == "online" and view["channel_label"] == "网上办理"
        if view["category"]:
            assert view["category_label"] == CATEGORIES[view["category"]]
        assert view["created_at"].endswith("+08:00")
        text = await self.page(http, f"/cases/{no}")
        assert STATUSES[status] in text
        self.statuses_seen.add(status)
        return view  # type: ignore[no-any-return]

    async def trace_at_clock(self, http: httpx.AsyncClient, no: str) -> None:
        text = await self.page(http, f"/cases/{no}")
        assert self.clock in text  # the decision time: the app clock in Beijing time


@pytest.mark.slow
async def test_every_status_reads_in_chinese(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database, settings: Settings,
    tmp_path: Path,
) -> None:  # fmt: skip
    check = Pages(settings)
    admin = await staff_client(web, "admin-w", await make_staff(db, "admin-w", "admin"))

    # 王: a draft at every step, then the notice.
    wang = await logged_in(web, sandbox, WANG)
    body = {"segment": "primary", "child_id_number": WANG_CHILD, "consent": True}
    no = (await wang.post("/api/v1/cases", json=body)).json()["case_no"]
    for path in ("/apply", "/apply/primary"):
        await check.page(wang, path)
    sent = await wang.post(f"/api/v1/cases/{no}/spouse/code", json={"spouse_id_number": LIU})
    code = await last_sms_code(sandbox)
    spouse = {"spouse_id_number": LIU, "txn": sent.json()["txn"], "code": code}
    actions = [
        ("post", f"/api/v1/cases/{no}/spouse", spouse),
        ("post", f"/api/v1/cases/{no}/checks", None),
        ("post", f"/api/v1/cases/{no}/residence", "suggested"),
        ("post", f"/api/v1/cases/{no}/materials/done", None),
    ]
    for step, (_, path, payload) in zip(range(3, 7), actions, strict=True):
        text = await check.page(wang, f"/cases/{no}/step/{step}")
        assert f"第 {step} 步，共 7 步" in text
        await check.case(wang, no, "draft")
        hidden = await admin.get(f"/staff/cases/{no}")  # staff do not see drafts
        assert hidden.status_code == 404 and "页面不存在" in hidden.text
        if payload == "suggested":
            homes = (await wang.get(f"/api/v1/cases/{no}/residences")).json()
            payload = {"cert_no": homes["suggested"]}
        answer = await wang.post(path, json=payload)
        assert answer.status_code == 200, answer.text
    assert "第 7 步，共 7 步" in await check.page(wang, f"/cases/{no}/step/7")
    await check.page(wang, f"/cases/{no}/withdraw")
    assert (await wang.post(f"/api/v1/cases/{no}/submit")).status_code == 200
    view = await check.case(wang, no, "notice_issued")
    assert (view["category"], view["category_label"]) == ("A", CATEGORIES["A"])
    await check.trace_at_clock(wang, no)
    await check.page(admin, f"/staff/cases/{no}")

    # 陈: an upload sends the case to review; materials asked; a seat arranged by the district.
    chen = await logged_in(web, sandbox, CHEN)
    chen_no = await _at_materials_step(chen)
    await upload_and_submit(chen, chen_no)
    await check.case(chen, chen_no, "manual_review")
    await check.page(admin, f"/staff/cases/{chen_no}")
    await check.page(admin, "/staff")  # the review queue
    wanted = {"materials": ["MARRIAGE_CERTIFICATE"], "note": "请补充"}
    asked = await admin.post(f"/api/v1/review/cases/{chen_no}/request-materials", json=wanted)
    assert asked.status_code == 200, asked.text
    assert (asked.json()["status"], asked.json()["status_label"]) == (
        "needs_materials",
        "待补充材料",
    )
    await check.case(chen, chen_no, "needs_materials")
    await check.page(admin, f"/staff/cases/{chen_no}")
    kind, file = {"kind": "MARRIAGE_CERTIFICATE"}, {"file": ("m.png", PNG, "image/png")}
    given = await chen.post(f"/api/v1/cases/{chen_no}/materials/upload", data=kind, files=file)
    assert given.status_code == 200 and given.json()["status"] == "manual_review", given.text
    arranged = await admin.post(
        f"/api/v1/review/cases/{chen_no}/approve", json={"school_code": "3205060101"}
    )
    assert arranged.json()["category"] is None
    assert arranged.json()["category_label"] == "区教育局统筹安排"
    view = await check.case(chen, chen_no, "notice_issued")
    assert (view["category"], view["category_label"]) == (None, "区教育局统筹安排")
    assert "区教育局统筹安排" in await check.page(chen, f"/cases/{chen_no}")
    pdf = await downloaded(chen, db, settings, f"/api/v1/cases/{chen_no}/notice.pdf")
    text = await asyncio.to_thread(checked_pdf_text, pdf.content)
    assert "区教育局统筹安排" in text.replace("\n", "").replace(" ", "")  # on the notice too

    # 李: to review, then refused.
    li = await logged_in(web, sandbox, LI)
    li_case = await li.post("/api/v1/cases", json={**body, "child_id_number": LI_CHILD})
    li_no = li_case.json()["case_no"]
    await li.post(f"/api/v1/cases/{li_no}/single-parent")
    await li.post(f"/api/v1/cases/{li_no}/checks")
    await li.post(f"/api/v1/cases/{li_no}/residence", json={"cert_no": None})
    await upload_and_submit(li, li_no)
    refused = await admin.post(f"/api/v1/review/cases/{li_no}/reject", json={"reason": "材料不符"})
    assert refused.json()["status_label"] == "未通过"
    await check.case(li, li_no, "rejected")
    await check.page(admin, f"/staff/cases/{li_no}")

    # 赵: a draft withdrawn, through the confirmation page.
    zhao = await logged_in(web, sandbox, ZHAO)
    zhao_case = await apply_draft(zhao, ZHAO_CHILD)
    assert "确认撤回" in await check.page(zhao, f"/cases/{zhao_case}/withdraw")
    gone = await zhao.post(f"/cases/{zhao_case}/withdraw")
    assert gone.status_code == 303 and gone.headers["location"] == f"/cases/{zhao_case}"
    view = await check.case(zhao, zhao_case, "withdrawn")
    assert view["status_label"] == "已撤回"
    assert "已撤回" in await check.page(zhao, "/apply")
    await check.page(admin, f"/staff/cases/{zhao_case}")

    # 孙: originals seen at the desk in a district that allocates: qualified, waiting for the run.
    sun, sun_no = await sun_needs_materials(web, sandbox)
    desk = await staff_client(web, "desk-w", await make_staff(db, "desk-w", "desk", PINGJIANG))
    with shipped_policy(tmp_path, 'placement = "allocation"\npublish_on = "07-10"\n'):
        seen = await desk.post(f"/api/v1/staff/cases/{sun_no}/originals", json={"materials": BOTH})
        assert seen.status_code == 200, seen.text
        view = await check.case(sun, sun_no, "qualified")
    assert view["school_code"] == PINGJIANG and view["publish_on"] == "2026-07-10"

    assert check.statuses_seen == set(STATUSES)  # every status met, none forgotten
    for client in (wang, chen, li, zhao, sun, desk, admin):
        await client.aclose()


async def upload_and_submit(http: httpx.AsyncClient, no: str) -> None:
    """An uploaded certificate sends the case to a person at the district."""
    kind, file = {"kind": "BIRTH_CERTIFICATE"}, {"file": ("c.png", PNG, "image/png")}
    uploaded = await http.post(f"/api/v1/cases/{no}/materials/upload", data=kind, files=file)
    assert uploaded.status_code == 200, uploaded.text
    await http.post(f"/api/v1/cases/{no}/materials/done")
    submitted = await http.post(f"/api/v1/cases/{no}/submit")
    assert submitted.json()["status"] == "manual_review", submitted.text


async def apply_draft(http: httpx.AsyncClient, child: str) -> str:
    body = {"segment": "junior", "child_id_number": child, "consent": True}
    created = await http.post("/api/v1/cases", json=body)
    assert created.status_code == 201, created.text
    no = created.json()["case_no"]
    assert (await http.post(f"/api/v1/cases/{no}/single-parent")).status_code == 200
    return str(no)


async def test_notice_family_reads_category_code_and_label(
    web: ServerThread, sandbox: ServerThread, schools: None
) -> None:
    http = await logged_in(web, sandbox, LI)
    case = await apply(http, sandbox, "primary", LI_CHILD, None)
    assert (case["category"], case["category_label"]) == ("C", CATEGORIES["C"])
    assert (case["segment"], case["segment_label"]) == ("primary", "小学一年级（幼升小）")
    assert (case["status"], case["status_label"]) == ("notice_issued", "已发放学位告知书")
    await http.aclose()


@pytest.mark.slow
async def test_openapi_gives_codes_and_labels_and_stays_valid(web: ServerThread) -> None:
    async with httpx.AsyncClient(base_url=web.url) as http:
        spec = (await http.get("/openapi.json")).json()
    validate(spec)  # raises on an invalid document
    view = spec["components"]["schemas"]["CaseView"]["properties"]
    for code in ("status", "segment", "category", "channel"):
        assert f"{code}_label" in view, code
    assert set(view["status"]["enum"]) == set(STATUSES)
    assert set(view["segment"]["enum"]) == set(SEGMENTS)
    assert "status_text" not in view
