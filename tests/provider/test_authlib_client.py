"""A county logs its user in through the city's provider with Authlib's client: discovery, code +
PKCE S256, nonce, the provincial acr passed through, a masked ID number at userinfo, a code used
once; key rotation keeps the previous key published; RP-initiated logout ends the city session and
reaches the county by back-channel logout."""

import secrets
from urllib.parse import parse_qs, quote, urlsplit

import httpx
from authlib.integrations.httpx_client import AsyncOAuth2Client
from joserfc import jwt
from joserfc.jwk import KeySet

from ruxue.kit.db import Database
from ruxue.provider import keys
from ruxue.provider.logouts import deliver
from ruxue.settings import Settings
from tests.support.authlib_rp import REDIRECT, authorize
from tests.support.county import register
from tests.support.helpers import ServerThread
from tests.support.personas import WANG
from tests.support.provider import Receiver, consent, county_login, listening_county
from tests.support.session import logged_in

ACR = "urn:jszwfw:loa:realname:sms"
AFTER = "http://127.0.0.1:9/kunshan/bye"


async def test_county_login_and_logout(
    web: ServerThread,
    sandbox: ServerThread,
    db: Database,
    settings: Settings,
    receiver: tuple[Receiver, ServerThread],
) -> None:
    kept, county = receiver
    secret = await register(
        db,
        "kunshan",
        "320583",
        redirect_uris=[REDIRECT],
        post_logout_redirect_uris=[AFTER],
        backchannel_logout_uri=f"{county.url}/backchannel",
    )
    city = await logged_in(web, sandbox, WANG)  # the person's browser, logged in at the city
    meta = (await city.get("/oidc/.well-known/openid-configuration")).json()
    assert meta["issuer"] == f"{web.url}/oidc" and meta["code_challenge_methods_supported"] == [
        "S256"
    ]
    assert meta["authorization_response_iss_parameter_supported"] is True
    rp = AsyncOAuth2Client(
        "kunshan",
        secret,
        scope="openid profile idcard",
        redirect_uri=REDIRECT,
        code_challenge_method="S256",
    )
    verifier, nonce = secrets.token_urlsafe(48), secrets.token_urlsafe(16)
    url, state = rp.create_authorization_url(
        meta["authorization_endpoint"], code_verifier=verifier, nonce=nonce
    )
    back = await consent(city, await city.get(url))
    assert back.status_code in (302, 303) and back.headers["location"].startswith(REDIRECT), (
        back.text
    )
    query = parse_qs(urlsplit(back.headers["location"]).query)
    assert query["state"] == [state] and query["iss"] == [meta["issuer"]]  # RFC 9207
    token = await rp.fetch_token(
        meta["token_endpoint"],
        authorization_response=back.headers["location"],
        code_verifier=verifier,
    )
    jwks = KeySet.import_key_set((await city.get(meta["jwks_uri"])).json())
    claims = jwt.decode(token["id_token"], jwks).claims
    assert claims["iss"] == meta["issuer"] and claims["aud"] in ("kunshan", ["kunshan"])
    assert claims["nonce"] == nonce and claims["acr"] == ACR and claims["sid"]
    info = (await rp.get(meta["userinfo_endpoint"])).json()
    assert info["sub"] == claims["sub"] and info["name"]
    assert (
        info["id_number"] != WANG and info["id_number"][:6] == WANG[:6] and "*" in info["id_number"]
    )

    again = await httpx.AsyncClient().post(
        meta["token_endpoint"],
        auth=("kunshan", secret),
        data={
            "grant_type": "authorization_code",
            "code": query["code"][0],
            "redirect_uri": REDIRECT,
            "code_verifier": verifier,
        },
    )
    assert (again.status_code, again.json()["error"]) == (400, "invalid_grant")

    keys.rotate(settings.var_dir)
    rotated = (await city.get(meta["jwks_uri"])).json()["keys"]
    assert len(rotated) == 2 and jwt.decode(
        token["id_token"], KeySet.import_key_set({"keys": rotated})
    )

    out = await city.get(
        meta["end_session_endpoint"],
        params={
            "id_token_hint": token["id_token"],
            "post_logout_redirect_uri": AFTER,
            "state": "s1",
        },
    )
    assert (out.status_code, out.headers["location"]) == (303, f"{AFTER}?state=s1")
    assert kept.tokens == []  # told by a job after the commit
    assert (await deliver(db, settings)).sent == 1
    assert len(kept.tokens) == 1
    logout = jwt.decode(kept.tokens[0], KeySet.import_key_set({"keys": rotated})).claims
    assert (
        logout["sid"] == claims["sid"]
        and logout["sub"] == claims["sub"]
        and logout["aud"] == "kunshan"
    )
    assert (
        "http://schemas.openid.net/event/backchannel-logout" in logout["events"]
        and "nonce" not in logout
    )
    assert (await city.get("/api/v1/cases")).status_code == 401  # the city session is over too
    await city.aclose()


async def test_login_is_brokered_through_the_guardian_login(
    web: ServerThread, db: Database
) -> None:
    await register(db, "kunshan", "320583", redirect_uris=[REDIRECT])
    async with httpx.AsyncClient(base_url=web.url) as browser:
        start = await browser.get("/oidc/authorize", params=authorize())
        wrong = await browser.get(
            "/oidc/authorize", params=authorize(redirect_uri="http://evil.example/cb")
        )
        silent = await browser.get("/oidc/authorize", params=authorize(prompt="none", state="s2"))
    assert start.status_code == 303
    assert start.headers["location"].startswith("/auth/login?next=%2Foidc%2Fauthorize%3F")
    assert wrong.status_code == 400 and "evil" not in wrong.headers.get("location", "")
    iss = quote(f"{web.url}/oidc", safe="")
    assert silent.headers["location"] == f"{REDIRECT}?error=login_required&state=s2&iss={iss}"


async def test_city_logout_ends_the_county_sessions(
    web: ServerThread,
    sandbox: ServerThread,
    db: Database,
    settings: Settings,
    receiver: tuple[Receiver, ServerThread],
) -> None:
    kept, county = receiver
    secret = await listening_county(db, "kunshan", "320583", county)
    city = await logged_in(web, sandbox, WANG)
    token = (await county_login(web, city, "kunshan", secret, "openid")).token
    sid = jwt.decode(
        token["id_token"], KeySet.import_key_set((await city.get("/oidc/jwks")).json())
    ).claims["sid"]
    await city.post("/auth/logout")
    assert (await deliver(db, settings)).sent == 1
    assert [
        jwt.decode(t, KeySet.import_key_set((await city.get("/oidc/jwks")).json())).claims["sid"]
        for t in kept.tokens
    ] == [sid]
    await city.aclose()
