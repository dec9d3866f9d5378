"""Issue 22: a request body over the limit is refused (413, in Chinese) before anything parses
it, whether it says its length or is sent in chunks; the route never sees it."""

from collections.abc import AsyncIterator

import httpx
from fastapi import APIRouter, Request

from ruxue.settings import Settings
from ruxue.web.app import create_app

LIMIT = 64 * 1024


async def test_a_body_over_the_limit_is_refused_before_parsing(settings: Settings) -> None:
    app = create_app(settings.model_copy(update={"request_max_bytes": LIMIT}))
    parsed: list[int] = []
    probe = APIRouter()

    @probe.post("/api/v1/probe")
    async def read_it(request: Request) -> dict[str, int]:
        parsed.append(len(await request.form()))
        return {"fields": parsed[-1]}

    app.include_router(probe)

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(8):
            yield b"a=" + b"x" * (LIMIT // 4) + b"&"

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    client = httpx.AsyncClient(transport=transport, base_url="http://app")
    async with app.router.lifespan_context(app), client as http:
        small = await http.post("/api/v1/probe", data={"a": "x"})
        declared = await http.post("/api/v1/probe", content=b"a=" + b"x" * (2 * LIMIT))
        form = {"content-type": "application/x-www-form-urlencoded"}
        chunked = await http.post("/api/v1/probe", content=chunks(), headers=form)
    assert small.status_code == 200 and parsed == [1]
    for refused in (declared, chunked):
        assert refused.status_code == 413, refused.text
        assert refused.json()["error"] == "payload_too_large" and "已拒绝" in refused.text
    assert parsed == [1]  # neither big body reached the route's answer
