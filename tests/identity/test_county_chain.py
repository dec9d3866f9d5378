"""Provincial logout reaches the counties: a guardian logged in at the city through an independent
provider (npm oidc-provider) opens a county session through the city's own provider; when the
provincial session ends, its back-channel logout ends the city session and the city's back-channel
logout reaches the county."""

import secrets

import httpx
from authlib.integrations.httpx_client import AsyncOAuth2Client
from joserfc import jwt
from joserfc.jwk import KeySet

from ruxue.kit.db import Database
from ruxue.provider.logouts import deliver
from tests.support.county import register
from tests.support.helpers import ServerThread
from tests.support.identity import Standard, login
from tests.support.personas import WANG
from tests.support.provider import Receiver, consent, receiver  # noqa: F401 (the fixture)
from tests.support.standard import end_provider_session

REDIRECT = "http://127.0.0.1:9/county/callback"


async def test_provincial_logout_reaches_the_county(
    standard: Standard,
    db: Database,
    receiver: tuple[Receiver, ServerThread],  # noqa: F811
) -> None:
    kept, county = receiver
    secret = await register(
        db,
        "wujiang",
        "320509",
        redirect_uris=[REDIRECT],
        backchannel_logout_uri=f"{county.url}/backchannel",
    )
    async with httpx.AsyncClient(timeout=30) as browser:
        city = await login(standard.rp, browser, WANG)
        rp = AsyncOAuth2Client(
            "wujiang", secret, scope="openid", redirect_uri=REDIRECT, code_challenge_method="S256"
        )
        verifier = secrets.token_urlsafe(48)
        url, _ = rp.create_authorization_url(
            f"{standard.rp.url}/oidc/authorize", code_verifier=verifier
        )
        back = await consent(city, await city.get(url))
        token = await rp.fetch_token(
            f"{standard.rp.url}/oidc/token",
            authorization_response=back.headers["location"],
            code_verifier=verifier,
        )
        keys = KeySet.import_key_set((await city.get("/oidc/jwks")).json())
        sid = jwt.decode(token["id_token"], keys).claims["sid"]
        assert kept.tokens == []
        done = await end_provider_session(browser, f"{standard.provider}/session/end")
        assert done.is_redirect
        assert (await city.get("/api/v1/me/data-tracker")).status_code == 401
        assert kept.tokens == []  # told by a job after the commit that ended the sessions
        assert (await deliver(db, standard.rp.server.config.app.state.settings)).sent == 1
        assert [jwt.decode(t, keys).claims["sid"] for t in kept.tokens] == [sid]
        await city.aclose()
