"""Security headers on every answer; a state-changing request from another origin is refused."""

import httpx

from ruxue.kit.security import trusted_origin
from tests.support.helpers import ServerThread

OWN = {"https://ruxue.example.gov.cn", "http://127.0.0.1:8000"}


def test_trusted_origin() -> None:
    assert trusted_origin("GET", {"origin": "https://evil.example"}, OWN)
    assert trusted_origin("POST", {"origin": "http://127.0.0.1:8000"}, OWN)
    assert not trusted_origin("POST", {"origin": "http://127.0.0.1:8001"}, OWN)  # another port
    assert not trusted_origin("POST", {"origin": "null"}, OWN)
    assert not trusted_origin("POST", {"sec-fetch-site": "same-site"}, OWN)
    assert not trusted_origin("DELETE", {"sec-fetch-site": "cross-site"}, OWN)
    assert trusted_origin("POST", {"sec-fetch-site": "same-origin"}, OWN)
    assert trusted_origin("POST", {}, OWN)  # not a browser: the CSRF token decides


async def test_headers_and_a_post_from_another_origin(web: ServerThread) -> None:
    async with httpx.AsyncClient(base_url=web.url) as http:
        page = await http.get("/")
        assert "script-src 'self'" in page.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
        assert page.headers["x-content-type-options"] == "nosniff"
        assert page.headers["referrer-policy"] == "same-origin"
        assert page.headers["cache-control"] == "no-store"
        port = int(web.url.rsplit(":", 1)[1])
        other = f"http://127.0.0.1:{port + 1}"
        refused = await http.post("/cases/RX2026P0000000000/single", headers={"origin": other})
        assert refused.status_code == 403
        assert refused.headers["content-type"].startswith("text/html")  # a page, with a way back
        assert (
            "请求来源不受信任" in refused.text and 'id="back" href="/">返回首页</a>' in refused.text
        )
        api = await http.post("/api/v1/cases", json={}, headers={"origin": other})
        assert api.status_code == 403 and api.json()["error"] == "untrusted_origin"
        same = await http.post("/cases/RX2026P0000000000/single", headers={"origin": web.url})
        assert same.status_code != 403  # reaches the app (which asks for a login)
