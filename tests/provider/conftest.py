"""A county's back-channel logout endpoint (a small app over real HTTP that keeps what it got) and
a registered county client of the city's provider."""

import html
import re
from collections.abc import Iterator

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.helpers import ServerThread


class Receiver:
    def __init__(self) -> None:
        self.tokens: list[str] = []

    async def logout(self, request: Request) -> Response:
        self.tokens.append(str((await request.form())["logout_token"]))
        return Response(status_code=200)

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/backchannel", self.logout, methods=["POST"])])


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, ServerThread]]:
    kept = Receiver()
    with ServerThread(kept.app()) as server:
        yield kept, server


async def consent(
    browser: httpx.AsyncClient, page: httpx.Response, agree: bool = True
) -> httpx.Response:
    """Answer the provider's consent page as the person would, with the page's own form fields."""
    assert page.status_code == 200 and 'id="oidc-consent"' in page.text, (
        page.status_code,
        page.text[:300],
    )
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text))
    form = {k: html.unescape(v) for k, v in fields.items()} | {"agree": "yes" if agree else "no"}
    return await browser.post(
        "/oidc/authorize", data=form, headers={"x-csrf-token": form["csrf_token"]}
    )
