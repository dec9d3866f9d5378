"""Issue 23, guardian side: step 3's skip says what it changes and that the records show another
parent; step 4 says when submitting will be refused at once and points a graduating child to
小升初. 孙磊 and 吴静 are 孙浩宇's parents on record, not married; 赵一鸣 leaves primary in 2026."""

import httpx

from tests.support.helpers import ServerThread
from tests.support.personas import CHEN, CHEN_CHILD, LI, LI_CHILD, ZHAO, ZHAO_CHILD, ZHOU
from tests.support.session import last_sms_code, logged_in

SUN, SUN_CHILD = "320508198603030110", "320508202002020311"


async def _draft(http: httpx.AsyncClient, child: str) -> str:
    body = {"segment": "primary", "child_id_number": child, "consent": True}
    created = await http.post("/api/v1/cases", json=body)
    assert created.status_code == 201, created.text
    return str(created.json()["case_no"])


async def test_the_skip_asks_for_confirmation_and_says_what_it_changes(
    web: ServerThread, sandbox: ServerThread, schools: None
) -> None:
    http = await logged_in(web, sandbox, SUN)
    no = await _draft(http, SUN_CHILD)
    page = await http.get(f"/cases/{no}/single")
    assert page.status_code == 200 and 'id="single-confirm"' in page.text
    assert 'id="other-on-record"' in page.text and "尾号0220" in page.text  # 吴静, on record
    for change in ("家庭人数", "房产", "随办件归档"):
        assert change in page.text, change
    await http.aclose()


async def test_step_four_says_submitting_will_be_refused_and_suggests_junior(
    web: ServerThread, sandbox: ServerThread, schools: None
) -> None:
    http = await logged_in(web, sandbox, ZHAO)
    no = await _draft(http, ZHAO_CHILD)
    assert (await http.post(f"/api/v1/cases/{no}/single-parent")).status_code == 200
    assert (await http.post(f"/api/v1/cases/{no}/checks")).status_code == 200
    page = (await http.get(f"/cases/{no}/step/4")).text
    assert "可继续提交，由区教育局答复" not in page
    assert 'id="will-refuse"' in page and "不予通过" in page
    assert 'id="suggest-junior"' in page and 'href="/apply/junior"' in page
    await http.aclose()


async def test_submitting_on_the_page_needs_the_integrity_pledge(
    web: ServerThread, sandbox: ServerThread, schools: None
) -> None:
    http = await logged_in(web, sandbox, LI)
    no = await _draft(http, LI_CHILD)
    for step in ("single-parent", "checks"):
        assert (await http.post(f"/api/v1/cases/{no}/{step}")).status_code == 200
    await http.post(f"/api/v1/cases/{no}/residence", json={"cert_no": None})
    assert (await http.post(f"/api/v1/cases/{no}/materials/done")).status_code == 200
    assert 'id="pledge"' in (await http.get(f"/cases/{no}/step/7")).text
    bare = await http.post(f"/cases/{no}/submit", data={})
    assert bare.headers["location"] == f"/cases/{no}/step/7"
    assert (await http.get(f"/api/v1/cases/{no}")).json()["status"] == "draft"
    pledged = await http.post(f"/cases/{no}/submit", data={"pledge": "yes"})
    assert pledged.headers["location"] == f"/cases/{no}"
    assert (await http.get(f"/api/v1/cases/{no}")).json()["status"] != "draft"
    await http.aclose()


async def test_step_five_names_each_homes_school_and_what_a_small_home_means(
    web: ServerThread, sandbox: ServerThread, schools: None
) -> None:
    http = await logged_in(web, sandbox, CHEN)  # 40 m² for three: under 18 m² a person
    no = await _draft(http, CHEN_CHILD)
    sent = await http.post(f"/api/v1/cases/{no}/spouse/code", json={"spouse_id_number": ZHOU})
    body = {
        "spouse_id_number": ZHOU,
        "txn": sent.json()["txn"],
        "code": await last_sms_code(sandbox),
    }
    assert (await http.post(f"/api/v1/cases/{no}/spouse", json=body)).status_code == 200
    assert (await http.post(f"/api/v1/cases/{no}/checks")).status_code == 200
    page = (await http.get(f"/cases/{no}/step/5")).text
    assert "对应施教区学校：苏州市吴中区东吴实验小学" in page
    assert 'class="home-small"' in page and "唯一住宅证明" in page
    await http.aclose()


async def test_the_familys_own_addresses_are_shown_in_full_to_it(
    web: ServerThread, sandbox: ServerThread, schools: None
) -> None:
    http = await logged_in(web, sandbox, LI)
    no = await _draft(http, LI_CHILD)
    page = (await http.get(f"/cases/{no}")).text
    assert "苏州市姑苏区仓街8号" in page  # her own hukou address, on her own phone
    shown = {
        f["label"]: f["value"] for f in (await http.get(f"/api/v1/cases/{no}")).json()["fetched"]
    }
    assert "8号" not in shown["学生户籍地址"]  # the API (and staff, and a kiosk) keep it masked
    await http.aclose()


async def test_step_two_tells_every_input_error_in_one_round(
    web: ServerThread, sandbox: ServerThread
) -> None:
    http = await logged_in(web, sandbox, LI)
    page = await http.post("/apply/primary", data={"child_id": "32050820191120044X"})
    assert page.status_code == 400
    assert 'id="child_id-error"' in page.text and "授权声明" in page.text  # both at once
    await http.aclose()
