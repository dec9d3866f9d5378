"""What the login must refuse, against the independent provider: each a Chinese 401 page, never a
500, and nobody signed in."""

import time
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from authlib.common.security import generate_token

from tests.support.identity import Standard
from tests.support.personas import WANG
from tests.support.standard import TokenProxy, at_provider, payload

OTHER = ("other-app", "other-app-secret", "http://127.0.0.1:9/callback")


def assert_refused(response: httpx.Response) -> None:
    assert response.status_code == 401, response.text[:500]
    assert response.headers["content-type"].startswith("text/html")
    assert "<title>错误 - 需要登录" in response.text


async def assert_signed_out(http: httpx.AsyncClient) -> None:
    assert (await http.get("/api/v1/me/data-tracker")).status_code == 401


async def start(http: httpx.AsyncClient) -> str:
    response = await http.get("/auth/login")
    assert response.status_code == 302
    return response.headers["location"]


@pytest.mark.parametrize("variant", ["basic", "noacr"])
async def test_wrong_or_missing_acr(standard: Standard, variant: str) -> None:
    async with (
        httpx.AsyncClient(base_url=standard.rp.url) as http,
        httpx.AsyncClient() as browser,
    ):
        back = await at_provider(browser, await start(http), f"{WANG}:{variant}", standard.rp.url)
        answer = await http.get(back)
        assert_refused(answer)
        assert "实名认证" in answer.text
        await assert_signed_out(http)


async def other_client_token(standard: Standard, nonce: str, login: str) -> dict[str, Any]:
    """A genuine token response of the provider for its other client (same nonce)."""
    client_id, secret, redirect = OTHER
    verifier = generate_token(48)
    from authlib.oauth2.rfc7636 import create_s256_code_challenge

    query = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect,
        "scope": "openid profile idcard phone",  # what our client asks: only aud differs
        "nonce": nonce,
        "state": generate_token(8),
        "code_challenge": create_s256_code_challenge(verifier),
        "code_challenge_method": "S256",
        "acr_values": "urn:jszwfw:loa:realname:sms",
        "claims": '{"id_token": {"azp": null}}',
    }
    async with httpx.AsyncClient() as browser:
        url = f"{standard.provider}/auth?{urlencode(query)}"
        back = await at_provider(browser, url, login, redirect)
        code = parse_qs(urlsplit(back).query)["code"][0]
        token = await browser.post(
            f"{standard.provider}/token",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect,
                "code_verifier": verifier,
            },
            auth=(client_id, secret),
        )
    assert token.status_code == 200, token.text
    return dict(token.json())


@pytest.mark.parametrize("variant", ["", ":azp"])
async def test_id_token_for_another_audience(
    standard: Standard, proxy: TokenProxy, variant: str
) -> None:
    app = standard.proxied
    async with httpx.AsyncClient(base_url=app.url) as http, httpx.AsyncClient() as browser:
        authorize = await start(http)
        nonce = parse_qs(urlsplit(authorize).query)["nonce"][0]
        foreign = await other_client_token(standard, nonce, f"{WANG}{variant}")
        claims = payload(foreign["id_token"])
        assert claims["aud"] == "other-app" and claims["nonce"] == nonce
        assert claims.get("azp") == ("ruxue-web" if variant else None)

        async def swap(_: dict[str, Any]) -> dict[str, Any]:
            return foreign

        proxy.hook = swap
        back = await at_provider(browser, authorize, WANG, app.url)
        answer = await http.get(back)
        assert_refused(answer)
        assert "身份令牌校验未通过" in answer.text
        await assert_signed_out(http)


@pytest.mark.slow
async def test_expired_id_token(standard: Standard, proxy: TokenProxy) -> None:
    app = standard.proxied  # no leeway on this app

    async def hold_until_expired(body: dict[str, Any]) -> dict[str, Any]:
        expires = payload(body["id_token"])["exp"]
        while time.time() <= expires + 0.2:  # wait for the condition: the token has expired
            await _tick()
        return body

    proxy.hook = hold_until_expired
    async with httpx.AsyncClient(base_url=app.url, timeout=30) as http, httpx.AsyncClient() as b:
        back = await at_provider(b, await start(http), f"{WANG}:short", app.url)
        assert_refused(await http.get(back))
        await assert_signed_out(http)


async def _tick() -> None:
    import asyncio

    await asyncio.sleep(0.05)


async def test_replayed_code_old_cookie_and_tampered_state(standard: Standard) -> None:
    async with (
        httpx.AsyncClient(base_url=standard.rp.url) as http,
        httpx.AsyncClient() as browser,
    ):
        authorize = await start(http)
        before_login = dict(http.cookies)
        back = await at_provider(browser, authorize, WANG, standard.rp.url)
        query = parse_qs(urlsplit(back).query)
        tampered = back.replace(query["state"][0], query["state"][0][:-2] + "xx")
        assert_refused(await http.get(tampered))  # a tampered state
        assert (await http.get(back)).status_code == 303  # the genuine callback signs in
        await http.post("/auth/logout")
        async with httpx.AsyncClient(base_url=standard.rp.url, cookies=before_login) as replay:
            assert_refused(await replay.get(back))  # the callback again, with the old cookie
            await assert_signed_out(replay)
        # a replayed code under a fresh, genuine state of the same browser
        fresh = parse_qs(urlsplit(await start(http)).query)["state"][0]
        code = query["code"][0]
        replayed = await http.get(f"/auth/callback?code={code}&state={fresh}")
        assert_refused(replayed)
        await assert_signed_out(http)


async def test_response_from_another_issuer_and_provider_errors(standard: Standard) -> None:
    async with (
        httpx.AsyncClient(base_url=standard.rp.url) as http,
        httpx.AsyncClient() as browser,
    ):
        back = await at_provider(browser, await start(http), WANG, standard.rp.url)
        assert f"iss={standard.provider.replace(':', '%3A').replace('/', '%2F')}" in back
        mixed_up = back.replace("iss=http%3A%2F%2F127.0.0.1", "iss=https%3A%2F%2Fidp.evil.example")
        assert mixed_up != back
        answer = await http.get(mixed_up)
        assert_refused(answer)
        assert "不是来自本平台" in answer.text
        assert_refused(await http.get(back))  # the state was spent by the refusal
        await assert_signed_out(http)
        state = parse_qs(urlsplit(await start(http)).query)["state"][0]
        told = await http.get("/auth/callback", params={"error": "<b>点此领奖</b>", "state": state})
        assert_refused(told)
        assert "点此领奖" not in told.text and "请重新登录" in told.text
        await assert_signed_out(http)
