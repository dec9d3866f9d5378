"""A browser at the independent provider (oidc-provider's development login and consent pages),
and a proxy in front of its token endpoint that lets a test swap the token response (to hand
the app a token issued to another client, or one that has expired)."""

import base64
import html
import json
import re
import subprocess
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

ROOT = Path(__file__).resolve().parents[2]
MODULE = ROOT / ".node" / "node_modules" / "oidc-provider" / "lib" / "index.js"
SCRIPT = ROOT / "tests" / "identity" / "provider.mjs"
DATASET = ROOT / "src" / "ruxue" / "sandbox" / "example-dataset.json"
Hook = Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]


def start_provider(port: int, rp_urls: list[str], jwk: dict[str, Any]) -> subprocess.Popen[bytes]:
    env = {
        "PKJWT_JWK": json.dumps(jwk),
        "PATH": "/usr/bin:/bin",
        "PORT": str(port),
        "RP_URLS": " ".join(rp_urls),
        "DATASET": str(DATASET),
        "OIDC_PROVIDER": str(MODULE),
    }
    process = subprocess.Popen(["node", str(SCRIPT)], env=env, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while True:  # wait for the condition: discovery answers
        try:
            if httpx.get(f"http://127.0.0.1:{port}/.well-known/openid-configuration").is_success:
                return process
        except httpx.TransportError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError("oidc-provider did not start")
        time.sleep(0.05)


def _form(page: str) -> tuple[str, dict[str, str]]:
    action = re.search(r'<form[^>]*action="([^"]+)"', page)
    assert action, page[:2000]
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))
    return html.unescape(action.group(1)), {k: html.unescape(v) for k, v in fields.items()}


async def at_provider(browser: httpx.AsyncClient, url: str, login: str, stop: str) -> str:
    """Follow the provider's redirects and pages (login with ``login``, consent) until a
    redirect leaves for ``stop`` (the app); the URL the browser is sent back to."""
    for _ in range(12):
        response = await browser.get(url)
        if response.is_redirect:
            url = urljoin(url, response.headers["location"])
            if url.startswith(stop):
                return url
            continue
        assert response.status_code == 200, response.text[:2000]
        action, fields = _form(response.text)
        if fields.get("prompt") == "login":
            fields.update(login=login, password="any")
        posted = await browser.post(urljoin(url, action), data=fields)
        assert posted.is_redirect, posted.text[:2000]
        url = urljoin(url, posted.headers["location"])
        if url.startswith(stop):
            return url
    raise AssertionError("the provider did not send the browser back")


async def end_provider_session(browser: httpx.AsyncClient, url: str) -> httpx.Response:
    """Confirm the provider's logout page (end_session_endpoint)."""
    page = await browser.get(url)
    assert page.status_code == 200, page.text[:2000]
    action, fields = _form(page.text)
    return await browser.post(urljoin(url, action), data={**fields, "logout": "yes"})


def payload(jwt: str) -> dict[str, Any]:
    part = jwt.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))))


class TokenProxy:
    """Discovery and token endpoint of the provider, through a hook; everything else direct."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.url = ""
        self.hook: Hook | None = None
        self.app = Starlette(
            routes=[
                Route("/.well-known/openid-configuration", self.discovery),
                Route("/token", self.token, methods=["POST"]),
            ]
        )

    async def discovery(self, request: Request) -> Response:
        async with httpx.AsyncClient() as http:
            meta = (await http.get(f"{self.upstream}/.well-known/openid-configuration")).json()
        return JSONResponse({**meta, "token_endpoint": f"{self.url}/token"})

    async def token(self, request: Request) -> Response:
        headers = {
            k: v for k, v in request.headers.items() if k in ("authorization", "content-type")
        }
        async with httpx.AsyncClient() as http:
            answer = await http.post(
                f"{self.upstream}/token", content=await request.body(), headers=headers
            )
        body = answer.json()
        if answer.is_success and self.hook is not None:
            body = await self.hook(body)
        return JSONResponse(body, status_code=answer.status_code)


def end_session_url(response: httpx.Response) -> str:
    """Where ``/auth/logout``'s page sends the browser on: the provider's end-session URL (a page,
    not a redirect: browsers hold a form's redirects to the CSP's form-action)."""
    assert response.status_code == 200, response.status_code
    found = re.search(r'id="continue-logout" href="([^"]+)"', response.text)
    assert found is not None, response.text[:500]
    return html.unescape(found.group(1))
