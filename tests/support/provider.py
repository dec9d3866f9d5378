"""Shared test support moved from tests/provider/conftest.py (imported by other test modules)."""

import html
import re
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import httpx
import pytest
from authlib.integrations.httpx_client import AsyncOAuth2Client
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ruxue.kit.db import Database
from tests.support.county import register
from tests.support.helpers import ServerThread
from tests.support.personas import WANG
from tests.support.sandbox import _login


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


async def listening_county(db: Database, client_id: str, district: str, at: ServerThread) -> str:
    """A county registered with its back-channel logout at ``at`` (a ``receiver``); its secret."""
    return await register(
        db,
        client_id,
        district,
        redirect_uris=[f"http://127.0.0.1:9/{client_id}/callback"],
        backchannel_logout_uri=f"{at.url}/backchannel",
    )


@dataclass
class CountyLogin:
    token: dict[str, Any]
    location: str  # the county's redirect with the code
    verifier: str


async def county_login(
    web: ServerThread, city: httpx.AsyncClient, client_id: str, secret: str, scope: str
) -> CountyLogin:
    """The person logged in at the city (``city``) logs in to the county with Authlib's client:
    code + PKCE, consent, token."""
    redirect = f"http://127.0.0.1:9/{client_id}/callback"
    rp = AsyncOAuth2Client(
        client_id, secret, scope=scope, redirect_uri=redirect, code_challenge_method="S256"
    )
    verifier = secrets.token_urlsafe(48)
    url, _ = rp.create_authorization_url(
        f"{web.url}/oidc/authorize", code_verifier=verifier, nonce="n"
    )
    location = (await consent(city, await city.get(url))).headers["location"]
    token = await rp.fetch_token(
        f"{web.url}/oidc/token", authorization_response=location, code_verifier=verifier
    )
    return CountyLogin(dict(token), location, verifier)


REDIRECT = "http://127.0.0.1:9/changshu/callback"


def authorize(scope: str, **extra: str) -> dict[str, str]:
    return {
        "client_id": "changshu",
        "response_type": "code",
        "redirect_uri": REDIRECT,
        "scope": scope,
        "state": secrets.token_urlsafe(8),
        "nonce": "n",
        "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        "code_challenge_method": "S256",
    } | extra


def back_to_county(answer: httpx.Response) -> dict[str, list[str]]:
    """The county's redirect, which names the provider (RFC 9207), a code or an error."""
    assert answer.status_code in (302, 303), (answer.status_code, answer.text[:300])
    location = answer.headers["location"]
    assert location.startswith(REDIRECT), location
    query = parse_qs(urlsplit(location).query)
    query.pop("error_description", None)
    assert query.pop("iss") == [str(answer.request.url.copy_with(path="/oidc", query=None))]
    return query


def next_second(after: float) -> None:
    """Wait (for a condition, not a fixed time) until the clock's second has moved on."""
    while int(time.time()) <= int(after):
        time.sleep(0.05)


async def log_in_again(
    city: httpx.AsyncClient, sandbox: ServerThread, sent: httpx.Response
) -> httpx.Response:
    """Follow the provider's redirect to a fresh login; the request it resumes, answered."""
    location = sent.headers["location"]
    assert sent.status_code == 303 and location.startswith("/auth/login?reauth=true&next="), (
        location
    )
    resume = unquote(parse_qs(urlsplit(location).query)["next"][0])
    start = await city.get(location)
    assert parse_qs(urlsplit(start.headers["location"]).query)["prompt"] == ["login"]
    async with httpx.AsyncClient(base_url=sandbox.url) as browser:
        back = await _login(browser, start.headers["location"], WANG)
    assert (await city.get(back.headers["location"])).status_code == 200  # on to the county
    assert "prompt=login" not in resume and "max_age" not in resume
    return await city.get(resume)
