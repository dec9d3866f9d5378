"""A district whose county runs its own enrollment system applies there, and only there: the city
refuses to start a case for its children on every channel (API, H5 pages, the school desk, the
kiosk) and names the county's system; a county refuses children of other districts and points
to the city. Nothing of a case is written."""

from pathlib import Path

import httpx
from sqlalchemy import func, select, update

from ruxue.cases.models import Case, CaseEvent
from ruxue.cli.county_demo import county_env
from ruxue.cli.county_demo import register as demo_register
from ruxue.county.models import Client
from ruxue.county.routing import routing_of
from ruxue.county.rules import elsewhere
from ruxue.kit.db import Database
from ruxue.settings import Settings
from ruxue.web.mode import ELDER_COOKIE
from tests.support.county import CITY_URL, register
from tests.support.helpers import ServerThread
from tests.support.kiosk import _read, _screen, _terminal
from tests.support.personas import CHEN, CHEN_CHILD, WANG, WANG_CHILD, ZHOU
from tests.support.session import logged_in
from tests.support.sms import DONGWU
from tests.support.staff import make_staff, staff_client
from tests.support.web import visible

WUZHONG_URL = "https://wuzhong.example/ruxue/"  # 陈浩然's hukou is in 吴中区 (320506)
START = {"segment": "primary", "consent": True}


async def written(db: Database) -> tuple[int, int]:
    async with db.read_session() as session:
        cases = await session.scalar(select(func.count(Case.id)))
        events = await session.scalar(select(func.count(CaseEvent.id)))
    return int(cases or 0), int(events or 0)


async def wuzhong_runs_its_own(db: Database) -> None:
    await register(db, "wuzhong", "320506", enrollment_url=WUZHONG_URL)


def assert_sent_to_wuzhong(answer: httpx.Response) -> None:
    assert answer.status_code == 409, answer.text
    body = answer.json()
    assert (body["error"], body["apply_url"]) == ("district_served_by_county", WUZHONG_URL)
    assert body["message"].startswith("孩子户籍在吴中区，吴中区使用本区的入学报名系统")
    assert "系统“320506 县区系统”办理" in body["message"] and WUZHONG_URL in body["message"]


def assert_a_button_not_the_form(page: str, url: str, label: str) -> None:
    """The H5 page names the other system on a button; the address is not printed as text and
    the form that was refused is not offered again."""
    assert f'<a class="btn" href="{url}" id="apply-elsewhere">{label}</a>' in page
    assert url not in visible(page)
    assert 'id="child_id"' not in page and 'id="next"' not in page


async def test_the_city_sends_a_county_served_child_to_the_county(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database
) -> None:
    await wuzhong_runs_its_own(db)
    chen = await logged_in(web, sandbox, CHEN)
    assert_sent_to_wuzhong(
        await chen.post("/api/v1/cases", json=START | {"child_id_number": CHEN_CHILD})
    )
    page = await chen.post("/apply/primary", data={"child_id": CHEN_CHILD, "consent": "1"})
    assert page.status_code == 409 and "吴中区使用本区的入学报名系统" in page.text
    assert_a_button_not_the_form(page.text, WUZHONG_URL, "前往320506 县区系统")
    assert await written(db) == (0, 0)
    await chen.aclose()

    wang = await logged_in(web, sandbox, WANG)  # 姑苏区 still applies at the city
    started = await wang.post("/api/v1/cases", json=START | {"child_id_number": WANG_CHILD})
    assert started.status_code == 201, started.text
    await wang.aclose()


async def test_a_county_without_an_enrollment_url_or_inactive_leaves_the_district_to_the_city(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database
) -> None:
    await register(db, "wuzhong-reports-only", "320506")  # reports, logs in; no enrollment
    await wuzhong_runs_its_own(db)
    async with db.write_session() as session:
        await session.execute(
            update(Client).where(Client.client_id == "wuzhong").values(active=False)
        )
    chen = await logged_in(web, sandbox, CHEN)
    started = await chen.post("/api/v1/cases", json=START | {"child_id_number": CHEN_CHILD})
    assert started.status_code == 201, started.text
    await chen.aclose()


async def test_the_desk_and_the_kiosk_send_a_county_served_child_to_the_county(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database
) -> None:
    await wuzhong_runs_its_own(db)
    desk = await staff_client(web, "desk-dw", await make_staff(db, "desk-dw", "desk", DONGWU))
    body = {"segment": "primary", "guardian_id_number": CHEN, "child_id_number": CHEN_CHILD,
            "spouse_id_number": ZHOU, "consent_signed": True, "originals_seen": ["HUKOU_BOOKLET"],
            "phone": "13900000000"}  # fmt: skip
    assert_sent_to_wuzhong(await desk.post("/api/v1/staff/offline-cases", json=body))
    page = await desk.post(
        "/staff/desk/register",
        data={"guardian_id": CHEN, "child_id": CHEN_CHILD, "spouse_id": ZHOU,
              "consent_signed": "1", "seen_HUKOU_BOOKLET": "1"},
    )  # fmt: skip
    assert page.status_code == 409 and WUZHONG_URL in page.text
    await desk.aclose()

    screen = _screen(web, "KSK-R-1", await _terminal(db, "KSK-R-1"))
    assert (await screen.post("/kiosk/login", data=_read(CHEN, "陈伟"))).status_code == 303
    kiosk = await screen.post("/kiosk/apply/primary", data={"child_id": CHEN_CHILD, "consent": "1"})
    assert kiosk.status_code == 409 and "吴中区使用本区的入学报名系统" in kiosk.text
    await screen.aclose()
    assert await written(db) == (0, 0)


async def test_a_county_takes_only_its_own_district(
    county: ServerThread, sandbox: ServerThread, schools: None, db: Database
) -> None:
    wang = await logged_in(county, sandbox, WANG)
    refused = await wang.post("/api/v1/cases", json=START | {"child_id_number": WANG_CHILD})
    assert refused.status_code == 409, refused.text
    body = refused.json()
    assert (body["error"], body["apply_url"]) == ("district_served_by_city", CITY_URL)
    assert body["message"] == (
        "孩子户籍在姑苏区，本系统只受理吴中区户籍学生的入学报名。"
        f"请前往市级入学报名系统办理：{CITY_URL}"
    )
    page = await wang.post("/apply/primary", data={"child_id": WANG_CHILD, "consent": "1"})
    assert page.status_code == 409
    assert_a_button_not_the_form(page.text, CITY_URL, "前往市级入学报名系统")
    assert await written(db) == (0, 0)
    await wang.aclose()

    chen = await logged_in(county, sandbox, CHEN)
    started = await chen.post("/api/v1/cases", json=START | {"child_id_number": CHEN_CHILD})
    assert started.status_code == 201, started.text
    assert await written(db) == (1, 2)  # the case, its consent and fetch events
    await chen.aclose()


async def test_the_demo_county_and_the_city_agree_on_wuzhong(
    db: Database, settings: Settings, tmp_path: Path
) -> None:
    secret = await demo_register(settings.resolved_database_url(), "http://localhost:8001")
    env = county_env({}, tmp_path, "http://127.0.0.1:8000", 8001, secret)
    county = Settings(**{k.removeprefix("RUXUE_").lower(): v for k, v in env.items()})
    async with db.read_session() as session:
        at_city, at_county = await routing_of(session, settings), await routing_of(session, county)
    to_county, to_city = elsewhere(at_city, "320506"), elsewhere(at_county, "320508")
    assert to_county is not None and to_county.url == "http://localhost:8001/apply"  # the form
    assert to_city is not None and to_city.url == "http://127.0.0.1:8000"
    assert elsewhere(at_county, "320506") is None and elsewhere(at_city, "320508") is None


async def test_a_county_in_elder_mode_asks_the_login_in_it_too(
    county: ServerThread, web: ServerThread
) -> None:
    """长辈版 crosses to the provider: a county's authorization request carries elder=1 when the
    person chose it there (the city's own provincial login does not)."""
    for app, carries in ((county, True), (web, False)):
        for elder in (False, True):
            async with httpx.AsyncClient(base_url=app.url) as browser:
                if elder:
                    browser.cookies.set(ELDER_COOKIE, "1")
                start = await browser.get("/auth/login")
            asked = httpx.URL(start.headers["location"]).params
            assert asked.get("elder") == ("1" if elder and carries else None), (app, elder)
