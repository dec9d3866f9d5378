"""Issue 22: the provider's ``sub`` is pairwise (OIDC Core §8.1), keyed: each county gets its own
subject for a person, the same each time, and nobody without the key can compute it from an ID
number (a county registered for masked numbers could before: ``sub`` was an unkeyed hash). An ID
token hint of another person does not log out the person logged in."""

import hashlib
import secrets

import httpx
from authlib.integrations.httpx_client import AsyncOAuth2Client
from joserfc import jwt
from joserfc.jwk import KeySet

from ruxue.kit import pii
from ruxue.kit.crypto import sm3_hex
from ruxue.kit.db import Database
from ruxue.kit.oauth import subject
from ruxue.settings import Settings
from tests.support.helpers import ServerThread
from tests.support.personas import LIU, WANG
from tests.support.provider import Receiver, consent, county_login, listening_county
from tests.support.session import logged_in


async def _sub(web: ServerThread, city: httpx.AsyncClient, client_id: str, secret: str) -> str:
    """The ``sub`` of the ID token a county gets (Authlib's client); consent given if asked."""
    redirect = f"http://127.0.0.1:9/{client_id}/callback"
    rp = AsyncOAuth2Client(
        client_id, secret, scope="openid", redirect_uri=redirect, code_challenge_method="S256"
    )
    verifier = secrets.token_urlsafe(48)
    url, _ = rp.create_authorization_url(f"{web.url}/oidc/authorize", code_verifier=verifier)
    page = await city.get(url)
    answer = await consent(city, page) if page.status_code == 200 else page
    token = await rp.fetch_token(
        f"{web.url}/oidc/token",
        authorization_response=answer.headers["location"],
        code_verifier=verifier,
    )
    keys = KeySet.import_key_set((await city.get("/oidc/jwks")).json())
    return str(jwt.decode(token["id_token"], keys).claims["sub"])


async def test_each_county_has_its_own_stable_subject(
    web: ServerThread,
    sandbox: ServerThread,
    db: Database,
    settings: Settings,
    receiver: tuple[Receiver, ServerThread],
) -> None:
    _, county = receiver
    kunshan = await listening_county(db, "kunshan", "320583", county)
    changshu = await listening_county(db, "changshu", "320581", county)
    city = await logged_in(web, sandbox, WANG)
    try:
        discovery = (await city.get("/oidc/.well-known/openid-configuration")).json()
        first, again = (
            await _sub(web, city, "kunshan", kunshan),
            await _sub(web, city, "kunshan", kunshan),
        )
        other = await _sub(web, city, "changshu", changshu)
    finally:
        await city.aclose()
    assert discovery["subject_types_supported"] == ["pairwise"]
    assert first == again and first != other
    iss = f"{web.url}/oidc"
    unkeyed = {
        subject(iss, WANG),
        sm3_hex(WANG.encode())[:32],
        hashlib.sha256(WANG.encode()).hexdigest()[:32],
        sm3_hex(f"kunshan|{WANG}".encode())[:32],
    }
    assert first not in unkeyed and other not in unkeyed
    configured = pii._keyring()
    pii.configure(configured.model_copy(update={"oidc_subject_key": "ab" * 16}))
    try:
        assert pii.pairwise_subject("kunshan", subject(iss, WANG)) != first  # the key decides
    finally:
        pii.configure(configured)


async def test_a_hint_of_another_person_does_not_log_out_this_one(
    web: ServerThread, sandbox: ServerThread, db: Database, receiver: tuple[Receiver, ServerThread]
) -> None:
    _, county = receiver
    secret = await listening_county(db, "kunshan", "320583", county)
    wang, liu = await logged_in(web, sandbox, WANG), await logged_in(web, sandbox, LIU)
    try:
        hint = (await county_login(web, wang, "kunshan", secret, "openid")).token["id_token"]
        out = await liu.get("/oidc/logout", params={"id_token_hint": hint})
        assert out.status_code == 303
        assert (await liu.get("/api/v1/cases")).status_code == 200  # Liu is still logged in
        mine = await wang.get("/oidc/logout", params={"id_token_hint": hint})
        assert mine.status_code == 303 and (await wang.get("/api/v1/cases")).status_code == 401
    finally:
        await wang.aclose()
        await liu.aclose()
