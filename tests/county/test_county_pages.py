"""A county system says whose it is: its pages name the district and its education bureau, not
the city's; the city's list of consents given to county systems is not a county's page."""

import re

import httpx

from ruxue.notify.gateway import gateway_of
from ruxue.sandbox.idp import phone_of
from ruxue.settings import Settings
from tests.support.helpers import ServerThread
from tests.support.personas import CHEN
from tests.support.session import logged_in
from tests.support.sms import sms_to


def title(page: str) -> str:
    found = re.search(r"<title>(.*?)</title>", page)
    assert found, page
    return found.group(1)


async def test_a_county_names_its_district_and_bureau(
    county: ServerThread, web: ServerThread
) -> None:
    async with httpx.AsyncClient(base_url=county.url) as browser:
        home, guide = (await browser.get("/")).text, (await browser.get("/guide")).text
        catchment = (await browser.get("/catchment")).text
    assert title(home) == "吴中区入学“一件事”" and title(guide) == "办事指南 · 吴中区入学“一件事”"
    assert title(catchment) == "学区查询 · 吴中区入学“一件事”"
    assert '<p id="site-region">吴中区义务教育公办学校入学 · 一网通办</p>' in home
    assert "<footer>苏州市吴中区教育局 ·" in home and "苏州市教育局" not in home
    async with httpx.AsyncClient(base_url=web.url) as browser:
        city = (await browser.get("/")).text
    assert title(city) == "入学“一件事”" and "<footer>苏州市教育局 ·" in city
    assert "苏州市义务教育公办学校入学" in city and "吴中区" not in city
    async with httpx.AsyncClient(base_url=county.url) as kiosk:
        activate = (await kiosk.get("/kiosk/activate")).text
    assert '<footer class="k-foot">苏州市吴中区教育局 ·' in activate


async def test_texts_are_signed_by_the_system_that_sends_them(
    county: ServerThread, sandbox: ServerThread, settings: Settings
) -> None:
    """The 【…】 sender before every text is the SMS gateway's: the city's, or the county's."""
    at_county = county.server.config.app.state.settings
    await gateway_of(settings).send(phone_of(CHEN), "城市的短信")
    await gateway_of(at_county).send(phone_of(CHEN), "县区的短信")
    texts = [m["text"] for m in await sms_to(sandbox, CHEN)]
    assert "【苏州市入学一件事】城市的短信" in texts and "【吴中区入学一件事】县区的短信" in texts


async def test_only_the_city_lists_consents_given_to_county_systems(
    county: ServerThread, web: ServerThread, sandbox: ServerThread
) -> None:
    at_city, at_county = await logged_in(web, sandbox, CHEN), await logged_in(county, sandbox, CHEN)
    assert 'href="/me/county-systems"' in (await at_city.get("/apply")).text
    assert 'href="/me/county-systems"' in (await at_city.get("/me/data-tracker")).text
    for page in ("/apply", "/me/data-tracker"):
        shown = await at_county.get(page)
        assert shown.status_code == 200 and "/me/county-systems" not in shown.text, page
    assert (await at_county.get("/me/county-systems")).status_code == 404
    withdraw = await at_county.post("/me/county-systems/changshu/withdraw", data={"x": "1"})
    assert withdraw.status_code == 404
    assert (await at_city.get("/me/county-systems")).status_code == 200
    await at_city.aclose()
    await at_county.aclose()


async def test_a_county_site_looks_like_the_countys(
    county: ServerThread, web: ServerThread
) -> None:
    async with httpx.AsyncClient(base_url=county.url) as http:
        county_home = (await http.get("/")).text
    async with httpx.AsyncClient(base_url=web.url) as http:
        city_home = (await http.get("/")).text
    assert '<body class="county-site">' in county_home and "<body>" in city_home
    assert 'id="brand">吴中区入学“一件事”</a>' in county_home
    assert 'id="brand">入学“一件事”</a>' in city_home
