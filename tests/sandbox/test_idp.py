"""The sandbox identity platform with an ordinary OIDC client (Authlib's httpx client) and an
independent JOSE library (joserfc) checking the ID token against the published JWKS."""

import re
from typing import Any

import httpx
import pytest
from authlib.common.security import generate_token
from authlib.integrations.httpx_client import AsyncOAuth2Client
from joserfc import jwt
from joserfc.jwk import KeySet

from ruxue.settings import Settings
from tests.support.helpers import ServerThread
from tests.support.sandbox import GUARDIAN, _field, _login

REDIRECT = "http://127.0.0.1:9/callback"


@pytest.fixture
async def meta(sandbox: ServerThread) -> dict[str, Any]:
    async with httpx.AsyncClient() as http:
        return (await http.get(f"{sandbox.url}/idp/.well-known/openid-configuration")).json()  # type: ignore[no-any-return]


def _client(settings: Settings) -> AsyncOAuth2Client:
    return AsyncOAuth2Client(
        client_id=settings.oidc_client_id,
        client_secret=settings.oidc_client_secret,
        redirect_uri=REDIRECT,
        scope="openid profile idcard",
        code_challenge_method="S256",
    )


async def test_login_with_an_oidc_client_library(
    sandbox: ServerThread, settings: Settings, meta: dict[str, Any]
) -> None:
    assert meta["issuer"] == f"{sandbox.url}/idp"
    assert meta["code_challenge_methods_supported"] == ["S256"]
    verifier, nonce = generate_token(48), generate_token(16)
    async with _client(settings) as client, httpx.AsyncClient(base_url=sandbox.url) as browser:
        url, state = client.create_authorization_url(
            meta["authorization_endpoint"], code_verifier=verifier, nonce=nonce
        )
        redirect = await _login(browser, url)
        assert redirect.status_code == 302
        location = redirect.headers["location"]
        assert location.startswith(REDIRECT) and f"state={state}" in location
        token = await client.fetch_token(
            meta["token_endpoint"], authorization_response=location, code_verifier=verifier
        )
        keys = KeySet.import_key_set((await browser.get(meta["jwks_uri"])).json())
        claims = jwt.decode(token["id_token"], keys).claims
        assert claims["iss"] == meta["issuer"] and settings.oidc_client_id in claims["aud"]
        assert claims["nonce"] == nonce
        assert "acr" not in claims  # not asked for: a standard provider adds none
        assert "id_number" not in claims and "name" not in claims  # scope claims: at userinfo
        assert claims["sub"] != GUARDIAN
        info = (await client.get(meta["userinfo_endpoint"])).json()
        assert info["sub"] == claims["sub"] and info["id_number"] == GUARDIAN
        assert info["name"] == "王建国" and "acr" not in info
        # the code is single-use
        again = await browser.post(
            meta["token_endpoint"],
            data={
                "grant_type": "authorization_code",
                "code": re.search(r"code=([^&]+)", location).group(1),  # type: ignore[union-attr]
                "redirect_uri": REDIRECT,
                "code_verifier": verifier,
                "client_id": settings.oidc_client_id,
                "client_secret": settings.oidc_client_secret,
            },
        )
        assert again.status_code == 400 and again.json()["error"] == "invalid_grant"


async def test_acr_and_claims_only_when_asked(
    sandbox: ServerThread, settings: Settings, meta: dict[str, Any]
) -> None:
    verifier = generate_token(48)
    async with _client(settings) as client, httpx.AsyncClient(base_url=sandbox.url) as browser:
        url, _ = client.create_authorization_url(
            meta["authorization_endpoint"],
            code_verifier=verifier,
            nonce=generate_token(16),
            acr_values="urn:jszwfw:loa:realname:sms",
            claims='{"id_token": {"id_number": null}}',
        )
        location = (await _login(browser, url)).headers["location"]
        token = await client.fetch_token(
            meta["token_endpoint"], authorization_response=location, code_verifier=verifier
        )
        keys = KeySet.import_key_set((await browser.get(meta["jwks_uri"])).json())
        claims = jwt.decode(token["id_token"], keys).claims
    assert claims["acr"] == "urn:jszwfw:loa:realname:sms"
    assert claims["id_number"] == GUARDIAN and "name" not in claims


async def test_wrong_verifier_is_refused(
    sandbox: ServerThread, settings: Settings, meta: dict[str, Any]
) -> None:
    async with _client(settings) as client, httpx.AsyncClient(base_url=sandbox.url) as browser:
        url, _ = client.create_authorization_url(
            meta["authorization_endpoint"], code_verifier=generate_token(48)
        )
        location = (await _login(browser, url)).headers["location"]
        with pytest.raises(Exception, match="invalid_grant"):
            await client.fetch_token(
                meta["token_endpoint"],
                authorization_response=location,
                code_verifier=generate_token(48),
            )


@pytest.mark.parametrize("pkce", ["", f"&code_challenge={'a' * 43}&code_challenge_method=plain"])
async def test_pkce_s256_is_required(sandbox: ServerThread, settings: Settings, pkce: str) -> None:
    async with httpx.AsyncClient(base_url=sandbox.url) as browser:
        page = await browser.get(
            f"/idp/authorize?response_type=code&client_id={settings.oidc_client_id}&redirect_uri={REDIRECT}&scope=openid{pkce}"
        )
    assert page.status_code == 400
    assert "invalid_request" in page.text


async def test_unknown_person_and_wrong_code_are_refused(
    sandbox: ServerThread, settings: Settings, meta: dict[str, Any]
) -> None:
    async with _client(settings) as client, httpx.AsyncClient(base_url=sandbox.url) as browser:
        url, _ = client.create_authorization_url(
            meta["authorization_endpoint"], code_verifier=generate_token(48)
        )
        query = _field((await browser.get(url)).text, "query")
        unknown = await browser.post(
            "/idp/authorize/sms", data={"query": query, "id_number": "320508201910150213"}
        )
        assert (
            unknown.status_code == 400 and "未在本平台实名注册" in unknown.text
        )  # a child cannot log in
        sent = await browser.post(
            "/idp/authorize/sms", data={"query": query, "id_number": GUARDIAN}
        )
        wrong = await browser.post(
            "/idp/authorize/verify",
            data={
                "query": query,
                "txn": _field(sent.text, "txn"),
                "code": "000000" if "000000" not in sent.text else "111111",
            },
        )
        assert wrong.status_code == 400 and "验证码不正确" in wrong.text


async def test_the_login_pages_carry_the_apps_security_headers(
    sandbox: ServerThread, settings: Settings, meta: dict[str, Any]
) -> None:
    """The provincial login cannot be framed (clickjacking of the SMS code) and runs no script
    but its own; the code page's form may lead on to the relying party's redirect URI only."""
    async with _client(settings) as client, httpx.AsyncClient(base_url=sandbox.url) as browser:
        url, _ = client.create_authorization_url(
            meta["authorization_endpoint"], code_verifier=generate_token(48)
        )
        login = await browser.get(url)
        query = _field(login.text, "query")
        sent = await browser.post(
            "/idp/authorize/sms", data={"query": query, "id_number": GUARDIAN}
        )
        foreign = await browser.post(
            "/idp/authorize/sms",
            data={"query": query, "id_number": GUARDIAN},
            headers={"origin": "http://evil.example"},
        )
    for page in (login, sent):
        assert page.headers["x-frame-options"] == "DENY"
        assert page.headers["x-content-type-options"] == "nosniff"
        policy = page.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in policy and "script-src 'self'" in policy
    assert "form-action 'self';" in login.headers["content-security-policy"]
    assert "form-action 'self' http://127.0.0.1:9;" in sent.headers["content-security-policy"]
    assert foreign.status_code == 403  # another site's form cannot send the code
