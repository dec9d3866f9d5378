"""A county authenticates at the provider's token endpoint with ``private_key_jwt`` (Authlib's
client, the key registered as the client's JWKS or published at its ``jwks_uri``): the code is
exchanged; an assertion signed with another key, or used a second time, is refused with 401
``invalid_client`` and the code it came with is not spent; a county that rotates its published key
is followed; an assertion signed with an algorithm discovery does not advertise (``none``, HMAC
keyed with the public key) is refused."""

import base64
import hashlib
import hmac
import json
import secrets
import time
from typing import Any

import httpx
import pytest
from authlib.integrations.httpx_client import AsyncOAuth2Client
from authlib.oauth2.rfc7523 import PrivateKeyJWT, private_key_jwt_sign
from joserfc import jwt
from joserfc.jwk import ECKey, KeySet, OctKey, RSAKey
from pydantic import ValidationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from ruxue.county import jwks
from ruxue.county.auth import ASSERTION_TYPE
from ruxue.county.models import Client
from ruxue.kit.db import Database
from tests.support.county import register
from tests.support.helpers import ServerThread
from tests.support.personas import WANG
from tests.support.provider import consent
from tests.support.session import logged_in

REDIRECT = "http://127.0.0.1:9/taicang/callback"


def rsa(kid: str) -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": kid, "use": "sig", "alg": "RS256"})


class County:
    """A county's relying party whose client authentication is a signed assertion."""

    def __init__(self, web: ServerThread, city: httpx.AsyncClient, key: RSAKey) -> None:
        self.web, self.city, self.key = web, city, key
        self.token_url = f"{web.url}/oidc/token"
        self.rp = AsyncOAuth2Client(
            "taicang",
            key,
            scope="openid",
            redirect_uri=REDIRECT,
            code_challenge_method="S256",
            token_endpoint_auth_method="private_key_jwt",
        )
        self.rp.register_client_auth_method(PrivateKeyJWT(self.token_url, headers={"kid": key.kid}))

    async def code(self) -> tuple[str, str]:
        verifier = secrets.token_urlsafe(48)
        url, _ = self.rp.create_authorization_url(
            f"{self.web.url}/oidc/authorize", code_verifier=verifier, nonce="n"
        )
        back = await self.city.get(url)
        if back.status_code == 200:
            back = await consent(self.city, back)
        return back.headers["location"], verifier

    def assertion(self, key: RSAKey | None = None) -> str:
        signer = key or self.key
        return private_key_jwt_sign(signer, "taicang", self.token_url, header={"kid": signer.kid})

    async def exchange(self, location: str, verifier: str, assertion: str) -> httpx.Response:
        code = httpx.URL(location).params["code"]
        form: dict[str, Any] = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT,
            "code_verifier": verifier,
            "client_assertion_type": ASSERTION_TYPE,
            "client_assertion": assertion,
        }
        async with httpx.AsyncClient() as http:
            return await http.post(self.token_url, data=form)


async def test_private_key_jwt_at_the_token_endpoint(
    web: ServerThread, sandbox: ServerThread, db: Database
) -> None:
    key = rsa("taicang-1")
    await register(
        db,
        "taicang",
        "320585",
        redirect_uris=[REDIRECT],
        jwks={"keys": [key.as_dict(private=False)]},
    )
    city = await logged_in(web, sandbox, WANG)
    meta = (await city.get("/oidc/.well-known/openid-configuration")).json()
    assert "private_key_jwt" in meta["token_endpoint_auth_methods_supported"]
    county = County(web, city, key)

    location, verifier = await county.code()
    token = await county.rp.fetch_token(
        county.token_url, authorization_response=location, code_verifier=verifier
    )
    jwks = KeySet.import_key_set((await city.get("/oidc/jwks")).json())
    assert jwt.decode(token["id_token"], jwks).claims["aud"] in ("taicang", ["taicang"])

    location, verifier = await county.code()
    wrong = await county.exchange(location, verifier, county.assertion(rsa("taicang-1")))
    assert (wrong.status_code, wrong.json()["error"]) == (401, "invalid_client")

    used = county.assertion()
    first = await county.exchange(location, verifier, used)  # the code survived the refusal
    assert first.status_code == 200 and first.json()["id_token"], first.text
    location, verifier = await county.code()
    replay = await county.exchange(location, verifier, used)
    assert (replay.status_code, replay.json()["error"]) == (401, "invalid_client")
    fresh = await county.exchange(location, verifier, county.assertion())
    assert fresh.status_code == 200, fresh.text  # the replay rolled back: the code is unspent
    await city.aclose()


async def test_a_secret_client_cannot_use_an_assertion(
    web: ServerThread, sandbox: ServerThread, db: Database
) -> None:
    await register(db, "taicang", "320585", redirect_uris=[REDIRECT])  # no JWKS registered
    city = await logged_in(web, sandbox, WANG)
    county = County(web, city, rsa("taicang-1"))
    location, verifier = await county.code()
    refused = await county.exchange(location, verifier, county.assertion())
    assert (refused.status_code, refused.json()["error"]) == (401, "invalid_client")
    await city.aclose()


class Published:
    """A county's own JWKS endpoint, whose keys the test changes (a rotation)."""

    def __init__(self, *keys: RSAKey) -> None:
        self.keys, self.fetches = list(keys), 0

    async def jwks(self, request: Request) -> JSONResponse:
        self.fetches += 1
        return JSONResponse({"keys": [k.as_dict(private=False) for k in self.keys]})


async def test_keys_from_the_county_jwks_uri_and_its_rotation(
    web: ServerThread, sandbox: ServerThread, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = rsa("taicang-1"), rsa("taicang-2")
    published = Published(first)
    with ServerThread(Starlette(routes=[Route("/jwks", published.jwks)])) as county_site:
        await register(
            db, "taicang", "320585", redirect_uris=[REDIRECT], jwks_uri=f"{county_site.url}/jwks"
        )
        city = await logged_in(web, sandbox, WANG)
        county = County(web, city, first)
        location, verifier = await county.code()
        assert (await county.exchange(location, verifier, county.assertion())).status_code == 200
        location, verifier = await county.code()
        assert (await county.exchange(location, verifier, county.assertion())).status_code == 200
        assert published.fetches == 1  # kept between requests

        published.keys = [second]  # the county rotates its key
        monkeypatch.setattr(jwks, "REFETCH_S", 0.0)
        location, verifier = await county.code()
        rotated = await county.exchange(location, verifier, county.assertion(second))
        assert rotated.status_code == 200, rotated.text
        old = await county.exchange(*(await county.code()), county.assertion(first))
        assert (old.status_code, published.fetches) == (401, 3)  # its kid sent us to look again

        async with httpx.AsyncClient(base_url=web.url) as http:  # the case-report API too
            signed = private_key_jwt_sign(
                second, "taicang", f"{web.url}/api/v1/county/token", header={"kid": second.kid}
            )
            answer = await http.post(
                "/api/v1/county/token",
                data={
                    "grant_type": "client_credentials",
                    "client_assertion_type": ASSERTION_TYPE,
                    "client_assertion": signed,
                },
            )
        assert answer.status_code == 200, answer.text
        await city.aclose()


def forged(kid: str, aud: str, alg: str, secret: bytes) -> str:
    """An assertion for ``taicang`` whose signature anyone could make, built by hand (a library
    might refuse to): HMAC keyed with the public key (the classic algorithm confusion) or a
    guessed secret, or no signature at all (``none``)."""
    claims = {
        "iss": "taicang",
        "sub": "taicang",
        "aud": aud,
        "exp": int(time.time()) + 60,
        "jti": secrets.token_urlsafe(8),
    }
    header = {"alg": alg, "kid": kid, "typ": "JWT"}
    signing_input = b".".join(_b64(json.dumps(part).encode()) for part in (header, claims))
    if alg == "none":
        return signing_input.decode() + "."
    digest = {"HS256": hashlib.sha256, "HS512": hashlib.sha512}[alg]
    return (signing_input + b"." + _b64(hmac.new(secret, signing_input, digest).digest())).decode()


def _b64(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


async def test_only_the_advertised_algorithms_sign_an_assertion(
    web: ServerThread, sandbox: ServerThread, db: Database
) -> None:
    rsa_key = rsa("taicang-1")
    ec_key = ECKey.generate_key("P-256", parameters={"kid": "taicang-ec", "use": "sig"})
    ps_key = RSAKey.generate_key(2048, parameters={"kid": "taicang-ps", "use": "sig"})
    shared = OctKey.import_key(b"s" * 32, parameters={"kid": "taicang-oct"})
    public = [k.as_dict(private=False) for k in (rsa_key, ec_key, ps_key)]
    with pytest.raises(ValidationError, match="RSA 或 EC 公钥"):  # refused when registered
        await register(db, "taicang", "320585", jwks={"keys": [*public, shared.as_dict()]})
    await register(db, "taicang", "320585", redirect_uris=[REDIRECT], jwks={"keys": public})
    async with db.write_session() as session:  # a row from before that rule: defence in depth
        client = await session.get(Client, "taicang")
        assert client is not None
        client.jwks = {"keys": [*public, shared.as_dict()]}
    city = await logged_in(web, sandbox, WANG)
    meta = (await city.get("/oidc/.well-known/openid-configuration")).json()
    advertised = meta["token_endpoint_auth_signing_alg_values_supported"]
    assert "none" not in advertised and not any(a.startswith("HS") for a in advertised)
    county = County(web, city, rsa_key)
    pem = rsa_key.as_pem(private=False)
    location, verifier = await county.code()
    for kid, alg, secret in [
        (rsa_key.kid, "HS256", pem),
        (rsa_key.kid, "HS512", pem),
        ("taicang-oct", "HS256", b"s" * 32),
        (rsa_key.kid, "none", b""),
        ("taicang-oct", "none", b""),
    ]:
        assertion = forged(str(kid), county.token_url, alg, secret)
        refused = await county.exchange(location, verifier, assertion)
        assert (refused.status_code, refused.json()["error"]) == (401, "invalid_client"), alg
    for alg, key in [("PS256", ps_key), ("ES256", ec_key), ("RS256", rsa_key)]:
        assert alg in advertised
        signed = private_key_jwt_sign(
            key, "taicang", county.token_url, alg=alg, header={"kid": key.kid}
        )
        answer = await county.exchange(location, verifier, signed)  # the refusals left the code
        assert answer.status_code == 200, (alg, answer.text)
        location, verifier = await county.code()
    await city.aclose()
