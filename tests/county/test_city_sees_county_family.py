"""A family whose district runs its own enrollment system is seen by the city: the county's
reports name the child and the applicant (kept as the city's blind indexes), so the family's data
tracker shows the county case and says the city's own number never became a case, the desk's
look-up says where the child applied, and the dashboard and the weekly 通报 count the district's
reported applications."""

import json

import httpx
import pytest
from sqlalchemy import select

from ruxue.cases.models import Case
from ruxue.county import relay
from ruxue.county.demo import step
from ruxue.county.models import StageReport
from ruxue.kit import pii
from ruxue.kit.db import Database
from ruxue.settings import get_settings
from ruxue.wiring import wire
from tests.support.county import register, report, token
from tests.support.helpers import ServerThread, free_port
from tests.support.personas import CHEN, CHEN_CHILD, ZHOU
from tests.support.roots import from_environment
from tests.support.session import logged_in
from tests.support.sms import DONGWU
from tests.support.staff import make_staff, staff_client
from tests.support.tools import checked_pdf_text
from tests.support.web import visible

WUZHONG_URL = "https://wuzhong.example/ruxue/"
COUNTY_CASE = "WZ-2026-000101"
FAMILY = {"child_id_number": CHEN_CHILD, "applicant_id_number": CHEN}


async def county_family(web: ServerThread, db: Database) -> None:
    """吴中区 runs its own system; its case of 陈浩然 is reported up to 办结 with a notice."""
    secret = await register(db, "wuzhong", "320506", enrollment_url=WUZHONG_URL)
    batch = [
        report(COUNTY_CASE, "apply", 1, **FAMILY),
        report(COUNTY_CASE, "accept", 1, **FAMILY),
        report(COUNTY_CASE, "done", 1, result="notice_issued"),  # a later record may omit them
        report("WZ-2026-000102", "apply", 1),
    ]
    async with httpx.AsyncClient(base_url=web.url) as county:
        sent = await county.post(
            "/api/v1/county/reports",
            json={"reports": batch},
            headers=await token(county, "wuzhong", secret),
        )
    assert sent.status_code == 200, sent.text


async def test_the_reports_keep_blind_indexes_not_numbers(web: ServerThread, db: Database) -> None:
    await county_family(web, db)
    async with db.read_session() as session:
        rows = (await session.scalars(select(StageReport))).all()
    child = {(r.case_no, r.stage): r.child_index for r in rows}
    assert child[(COUNTY_CASE, "apply")] == pii.blind_index(CHEN_CHILD)
    assert child[("WZ-2026-000102", "apply")] is None
    stored = json.dumps([[str(v) for v in vars(r).values()] for r in rows])
    assert CHEN_CHILD not in stored and CHEN not in stored


async def test_the_family_sees_its_county_case_in_the_tracker(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database
) -> None:
    await county_family(web, db)
    chen = await logged_in(web, sandbox, CHEN)
    try:
        refused = await chen.post(
            "/api/v1/cases",
            json={"segment": "primary", "consent": True, "child_id_number": CHEN_CHILD},
        )
        assert refused.status_code == 409  # the police were asked under a number never made
        page = await chen.get("/me/data-tracker")
    finally:
        await chen.aclose()
    text = visible(page.text)
    assert "在区县入学报名系统的办件" in text and COUNTY_CASE in text
    assert "办结（已发放学位告知书）" in text
    assert "此编号未建立办件" in text


async def test_the_desk_says_where_the_child_applied(web: ServerThread, db: Database) -> None:
    await county_family(web, db)
    desk = await staff_client(web, "desk-cf", await make_staff(db, "desk-cf", "desk", DONGWU))
    try:
        page = await desk.post("/staff/desk/find", data={"child": CHEN_CHILD})
        api = await desk.post("/api/v1/staff/children/lookup", json=FAMILY)
    finally:
        await desk.aclose()
    assert "尚无报名办件" not in page.text
    assert f"已在320506 县区系统报名（办件编号 {COUNTY_CASE}" in visible(page.text)
    assert api.json()["case"]["case_no"] == COUNTY_CASE


async def test_the_dashboard_counts_the_districts_reported_applications(
    web: ServerThread, db: Database
) -> None:
    await county_family(web, db)
    admin = await staff_client(web, "admin-cf", await make_staff(db, "admin-cf", "admin"))
    try:
        assert (await admin.post("/api/v1/dashboard/refresh")).status_code == 200
        city = (await admin.get("/api/v1/dashboard/summary")).json()["applications"]
        district = (await admin.get("/api/v1/dashboard/summary?district=320506")).json()
        rows = (await admin.get("/api/v1/dashboard/tables/districts.json")).json()["rows"]
        pdf = await admin.get("/api/v1/dashboard/report.pdf?district=320506")
    finally:
        await admin.aclose()
    assert (city["total"], city["reported"]) == (2, 2)
    assert district["applications"]["total"] == 2
    wuzhong = next(r for r in rows if r["code"] == "320506")
    assert (wuzhong["applications"], wuzhong["reported"]) == (2, 2)
    assert pdf.status_code == 200 and "含区县系统上报2件" in checked_pdf_text(pdf.content)


@pytest.fixture
def county_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RUXUE_UPSTREAM_URL", f"http://127.0.0.1:{free_port()}")
    monkeypatch.setenv("RUXUE_UPSTREAM_CLIENT_ID", "wuzhong")
    wire(from_environment())
    yield
    get_settings.cache_clear()


async def test_the_relay_names_the_family_from_the_case(db: Database, county_mode: None) -> None:
    async with db.write_session() as session:
        await step(session, "WZ-2026-000201", 1, 0)
        case = (await session.scalars(select(Case))).one()
        case.child_enc, case.guardian_enc = pii.encrypt(CHEN_CHILD), pii.encrypt(ZHOU)
    sent: list[dict[str, object]] = []

    def city(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/token"):
            return httpx.Response(200, json={"access_token": "t", "token_type": "Bearer",
                                             "expires_in": 600})  # fmt: skip
        sent.extend(json.loads(request.content)["reports"])
        return httpx.Response(200, json={"received": 3, "applied": 3, "stale": 0})

    settings = get_settings()
    upstream = relay.Upstream(settings, transport=httpx.MockTransport(city))
    try:
        tally = await relay.run(db, upstream, settings)
    finally:
        await upstream.aclose()
    assert tally.sent == 3
    assert {(r["child_id_number"], r["applicant_id_number"]) for r in sent} == {(CHEN_CHILD, ZHOU)}
