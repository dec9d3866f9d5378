"""A link in an SMS keeps its destination through the login (issue 23): the page asked for is
where the family lands, and only a path of this site is ever followed (``identity.rules``)."""

import httpx
from hypothesis import given
from hypothesis import strategies as st

from ruxue.identity.rules import safe_next
from tests.support.helpers import ServerThread
from tests.support.personas import WANG
from tests.support.sandbox import _login


def test_only_paths_of_this_site_are_followed() -> None:
    assert safe_next("/cases/RX2026P1/step/3?x=1") == "/cases/RX2026P1/step/3?x=1"
    assert safe_next("/spouse/abc") == "/spouse/abc"
    for bad in ("", "https://evil.cn/", "//evil.cn", "/\\evil.cn", "/\\/evil", "evil",
                "/auth/login?next=/x", "/cases/\nSet-Cookie:x", "/" + "a" * 600):  # fmt: skip
        assert safe_next(bad) is None, bad


@given(st.text(max_size=80))
def test_whatever_is_followed_stays_on_this_origin(value: str) -> None:
    target = safe_next(value)
    if target is not None:
        url = httpx.URL("https://ruxue.example").join(target)
        assert url.host == "ruxue.example" and url.scheme == "https", target


async def test_a_page_asked_for_before_the_login_is_where_the_family_lands(
    web: ServerThread, sandbox: ServerThread
) -> None:
    async with httpx.AsyncClient(base_url=web.url) as http:
        asked = await http.get("/cases/RX2026P0000000001?from=sms")
        assert asked.status_code == 303
        login = await http.get(asked.headers["location"])
        async with httpx.AsyncClient(base_url=sandbox.url) as browser:
            back = await _login(browser, login.headers["location"], WANG)
        landed = await http.get(back.headers["location"])
        assert landed.status_code == 303
        assert landed.headers["location"] == "/cases/RX2026P0000000001?from=sms"
