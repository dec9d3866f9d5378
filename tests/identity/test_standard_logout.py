"""Logout from the provider's side: a logout token that is not one is refused; front-channel
logout ends the sessions of the provider's session id."""

import time

import httpx
from joserfc import jwt
from joserfc.jwk import RSAKey

from tests.support.identity import Standard, login
from tests.support.personas import WANG
from tests.support.standard import end_session_url, payload

EVENT = "http://schemas.openid.net/event/backchannel-logout"


async def signed_in(http: httpx.AsyncClient) -> bool:
    return (await http.get("/api/v1/me/data-tracker")).status_code == 200


async def test_back_channel_refuses_what_is_not_a_logout_token(standard: Standard) -> None:
    app = standard.rp
    async with httpx.AsyncClient(timeout=30) as browser:
        first = await login(app, browser, WANG)
        second = await login(app, browser, WANG)  # the same provider session, straight through
        end = end_session_url(await second.post("/auth/logout"))
        id_token = end.split("id_token_hint=")[1].split("&")[0]
        claims = payload(id_token)
        forged_claims = {
            "iss": claims["iss"],
            "aud": claims["aud"],
            "iat": int(time.time()),
            "jti": "x1",
            "sid": claims["sid"],
            "events": {EVENT: {}},
        }
        forged = jwt.encode({"alg": "RS256"}, forged_claims, RSAKey.generate_key(2048))
        async with httpx.AsyncClient(base_url=app.url) as provider_side:
            for token in (id_token, forged, ""):  # an ID token, another key, nothing
                answer = await provider_side.post(
                    "/auth/backchannel-logout", data={"logout_token": token}
                )
                assert answer.status_code == 400 and answer.json()["error"] == "invalid_request"
        assert await signed_in(first)

        async with httpx.AsyncClient(base_url=app.url) as iframe:  # no cookie, as in an iframe
            wrong = await iframe.get(
                "/auth/frontchannel-logout",
                params={"iss": "https://evil.example", "sid": claims["sid"]},
            )
            assert wrong.status_code == 400 and await signed_in(first)
            right = await iframe.get(
                "/auth/frontchannel-logout", params={"iss": claims["iss"], "sid": claims["sid"]}
            )
            assert right.status_code == 200
        assert not await signed_in(first)
        await first.aclose()
        await second.aclose()
