"""The 长辈版 switch: a cookie set by a plain GET, a way back that stays on this site."""

import httpx
import pytest

from ruxue.web.mode import ELDER_COOKIE, safe_next
from tests.support.helpers import ServerThread


@pytest.mark.parametrize(
    ("asked", "kept"),
    [
        ("/cases/RX1/step/3?error=x", "/cases/RX1/step/3?error=x"),
        ("/", "/"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("apply", "/"),
        ("/apply\r\nSet-Cookie: x=1", "/"),
    ],
)
def test_only_a_path_on_this_site_is_followed(asked: str, kept: str) -> None:
    assert safe_next(asked) == kept


async def test_switch_sets_and_clears_the_cookie_and_pages_follow(web: ServerThread) -> None:
    async with httpx.AsyncClient(base_url=web.url) as http:
        on = await http.get("/mode", params={"elder": 1, "next": "/guide"})
        assert on.status_code == 303 and on.headers["location"] == "/guide"
        assert http.cookies.get(ELDER_COOKIE) == "1"
        page = (await http.get("/guide")).text
        assert '<html lang="zh-CN" class="elder">' in page and ">切换到标准版</a>" in page
        assert "/mode?elder=0&amp;next=/guide" in page
        off = await http.get("/mode", params={"elder": 0, "next": "//evil.example"})
        assert off.headers["location"] == "/"
        assert ELDER_COOKIE not in http.cookies
        assert ">切换到长辈版</a>" in (await http.get("/guide")).text
