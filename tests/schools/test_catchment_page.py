"""Issue 23: the catchment search tells a family whose district applies in another system where
to go, and shows no internal compound codes. 吴中区's own system is asked about 平江路 (姑苏区)."""

import httpx

from tests.support.helpers import ServerThread


async def test_a_district_that_applies_elsewhere_is_named_and_no_codes_shown(
    web: ServerThread, county: ServerThread, schools: None
) -> None:
    async with httpx.AsyncClient(base_url=county.url) as browser:
        page = (await browser.get("/catchment", params={"q": "平江路"})).text
    assert 'class="warn elsewhere"' in page and "姑苏区" in page
    assert "GS-PJ-001" not in page and "GS-PJ-" not in page
    async with httpx.AsyncClient(base_url=web.url) as browser:
        city = (await browser.get("/catchment", params={"q": "平江路"})).text
    assert "苏州市平江实验学校" in city and "elsewhere" not in city and "GS-PJ-" not in city


async def test_the_guide_says_which_families_apply_elsewhere(
    web: ServerThread, county: ServerThread
) -> None:
    async with httpx.AsyncClient(base_url=county.url) as browser:
        guide = (await browser.get("/guide")).text
    assert 'id="applies-here"' in guide and "只受理吴中区户籍学生" in guide
    assert "监护关系核验申请" in guide  # a grandparent's way in
