"""Issue 22: ``auth_time`` is when the person authenticated (at the provincial login), not when a
code was issued; ``max_age`` and ``prompt=login`` send the person to log in again, the province
asked to re-authenticate too (Core §2, §3.1.2.1). Counties are Authlib relying parties."""

import secrets
import time

import httpx
from authlib.integrations.httpx_client import AsyncOAuth2Client
from joserfc import jwt
from joserfc.jwk import KeySet

from ruxue.kit.db import Database
from tests.support.helpers import ServerThread
from tests.support.personas import WANG
from tests.support.provider import (
    Receiver,
    consent,
    listening_county,
    log_in_again,
    next_second,
)
from tests.support.session import logged_in

REDIRECT = "http://127.0.0.1:9/kunshan/callback"


class County:
    def __init__(self, web: ServerThread, secret: str) -> None:
        self.web, self.verifier = web, secrets.token_urlsafe(48)
        self.rp = AsyncOAuth2Client(
            "kunshan", secret, scope="openid", redirect_uri=REDIRECT, code_challenge_method="S256"
        )

    def url(self, **extra: str) -> str:
        url, _ = self.rp.create_authorization_url(
            f"{self.web.url}/oidc/authorize", code_verifier=self.verifier, **extra
        )
        return str(url)

    async def auth_time(self, city: httpx.AsyncClient, answer: httpx.Response) -> int:
        """Consent if asked, the token, and the ID token's ``auth_time``."""
        answer = await consent(city, answer) if answer.status_code == 200 else answer
        assert answer.headers["location"].startswith(REDIRECT), answer.headers
        token = await self.rp.fetch_token(
            f"{self.web.url}/oidc/token",
            authorization_response=answer.headers["location"],
            code_verifier=self.verifier,
        )
        keys = KeySet.import_key_set((await city.get("/oidc/jwks")).json())
        return int(jwt.decode(token["id_token"], keys).claims["auth_time"])


async def test_auth_time_max_age_and_prompt_login(
    web: ServerThread,
    sandbox: ServerThread,
    db: Database,
    receiver: tuple[Receiver, ServerThread],
) -> None:
    _, listener = receiver
    secret = await listening_county(db, "kunshan", "320583", listener)
    city = await logged_in(web, sandbox, WANG)
    logged_in_by = time.time()
    try:
        next_second(logged_in_by)
        county = County(web, secret)
        first = await county.auth_time(city, await city.get(county.url()))
        assert first <= logged_in_by  # the login's time, not the code's

        county = County(web, secret)
        within = await county.auth_time(city, await city.get(county.url(max_age="3600")))
        assert within == first  # recent enough: no new login

        county = County(web, secret)
        stale = await city.get(county.url(max_age="0"))
        again = await county.auth_time(city, await log_in_again(city, sandbox, stale))
        assert again > first

        county = County(web, secret)
        forced = await city.get(county.url(prompt="login"))
        assert await county.auth_time(city, await log_in_again(city, sandbox, forced)) >= again

        next_second(time.time())  # max_age=0 is then over for the last login too
        silent = await city.get(County(web, secret).url(prompt="none", max_age="0", state="s"))
        assert "error=login_required" in silent.headers["location"]
    finally:
        await city.aclose()
