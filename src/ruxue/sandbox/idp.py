"""The provincial identity platform, played by the sandbox: an OpenID Connect provider.

Authlib's server classes do the protocol (authorization code, PKCE S256 only, ID token); Authlib
ships server glue for Flask and Django only, so the small FastAPI glue is in ``kit/oauth.py``,
shared with the provider. Accounts are the dataset's adults; they log in with their ID number and
a one-time code that the sandbox shows on screen, playing the SMS. State is in memory: the sandbox
is one process.

As a standard provider does, the ID token carries the subject and the authentication event; the
scope claims (name, ID number, phone) are at userinfo (OIDC Core 5.4), in the ID token only when
asked for with the ``claims`` parameter, and ``acr`` only when asked for (``acr_values`` or
``claims``).
"""

import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any, ClassVar

from authlib.common.security import generate_token
from authlib.oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import ClientMixin, OAuth2Request
from authlib.oauth2.rfc6749.grants import AuthorizationCodeGrant
from authlib.oauth2.rfc6750 import BearerTokenGenerator
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode
from joserfc.jwk import RSAKey
from starlette.responses import JSONResponse, Response

from ruxue.kit.crypto import sm3_hex
from ruxue.kit.oauth import S256Only, subject

ACR_REALNAME = "urn:jszwfw:loa:realname:sms"  # real-name verified + SMS possession
CODE_TTL = 300
TOKEN_TTL = 3600


@dataclass
class Client(ClientMixin):
    client_id: str
    client_secret: str
    redirect_prefixes: list[str]

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str:
        return self.redirect_prefixes[0]

    def get_allowed_scope(self, scope: str) -> str:
        allowed = {"openid", "profile", "idcard", "phone"}
        return " ".join(s for s in (scope or "").split() if s in allowed)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return any(redirect_uri.startswith(p) for p in self.redirect_prefixes)

    def check_client_secret(self, client_secret: str) -> bool:
        return secrets.compare_digest(client_secret, self.client_secret)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "authorization_code"


@dataclass
class AuthCode:
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    user_id: str
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    acr_values: str = ""
    claims: dict[str, Any] = field(default_factory=dict)  # the request's ``claims`` parameter
    auth_time: int = field(default_factory=lambda: int(time.time()))

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str | None:
        return self.nonce

    def get_auth_time(self) -> int:
        return self.auth_time

    def get_acr(self) -> str | None:
        asked = ACR_REALNAME in self.acr_values.split() or "acr" in self.id_token_claims()
        return ACR_REALNAME if asked else None

    def id_token_claims(self) -> dict[str, Any]:
        wanted = self.claims.get("id_token") if isinstance(self.claims, dict) else None
        return wanted if isinstance(wanted, dict) else {}

    def get_amr(self) -> list[str]:
        return ["sms", "realname"]

    def expired(self) -> bool:
        return time.time() - self.auth_time > CODE_TTL


class Provider(AuthorizationServer):
    """Authorization server with the FastAPI glue and in-memory state."""

    def __init__(self, issuer: str, clients: dict[str, Client], people: dict[str, Any]) -> None:
        super().__init__(scopes_supported=["openid", "profile", "idcard", "phone"])
        self.issuer = issuer
        self.clients = clients
        self.people = people  # id_number -> person row
        self.codes: dict[str, AuthCode] = {}
        self.tokens: dict[str, dict[str, Any]] = {}
        self.key = RSAKey.generate_key(2048, parameters={"kid": secrets.token_hex(8), "use": "sig"})
        self.register_grant(CodeGrant, [S256Only(required=True), OpenID(self)])
        self.register_token_generator(
            "default",
            BearerTokenGenerator(lambda *a, **k: generate_token(42), None, lambda *a: TOKEN_TTL),
        )

    def query_client(self, client_id: str) -> Client | None:
        return self.clients.get(client_id)

    def save_token(self, token: dict[str, Any], request: OAuth2Request) -> None:
        self.tokens[token["access_token"]] = {
            "user_id": request.user,
            "scope": token.get("scope", ""),
            "expires": time.time() + TOKEN_TTL,
        }

    def handle_response(self, status: int, body: Any, headers: Any) -> Response:
        if isinstance(body, dict):
            return JSONResponse(body, status_code=status, headers=dict(headers))
        return Response(body, status_code=status, headers=dict(headers))

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        return None

    def create_oauth2_request(self, request: Any) -> OAuth2Request:
        if isinstance(request, OAuth2Request):
            return request
        raise TypeError("build requests with oauth2_request()")

    def user_info(self, user_id: str, scope: str) -> UserInfo:
        person = self.people[user_id]
        info = UserInfo(sub=subject(self.issuer, user_id))
        if "profile" in scope:
            info["name"] = person.name
        if "idcard" in scope:
            info["id_number"] = user_id
        if "phone" in scope:
            info["phone_number"] = phone_of(user_id)
        return info

    def jwks(self) -> dict[str, Any]:
        return {"keys": [self.key.as_dict(private=False)]}


class CodeGrant(AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS: ClassVar[list[str]] = ["client_secret_basic", "client_secret_post"]

    def save_authorization_code(self, code: str, request: OAuth2Request) -> None:
        data = request.payload.data
        self.server.codes[code] = AuthCode(
            code=code,
            client_id=request.client.client_id,
            redirect_uri=data.get("redirect_uri"),
            scope=request.scope or "",
            user_id=request.user,
            nonce=data.get("nonce"),
            code_challenge=data.get("code_challenge"),
            code_challenge_method=data.get("code_challenge_method"),
            acr_values=data.get("acr_values") or "",
            claims=_claims_parameter(data.get("claims")),
        )

    def query_authorization_code(self, code: str, client: Client) -> AuthCode | None:
        item = self.server.codes.get(code)
        if item and item.client_id == client.client_id and not item.expired():
            return item
        return None

    def delete_authorization_code(self, authorization_code: AuthCode) -> None:
        self.server.codes.pop(authorization_code.code, None)

    def authenticate_user(self, authorization_code: AuthCode) -> str:
        return authorization_code.user_id


class OpenID(OpenIDCode):
    def __init__(self, provider: Provider) -> None:
        super().__init__(require_nonce=False)
        self.provider = provider

    def exists_nonce(self, nonce: str, request: OAuth2Request) -> bool:
        return any(c.nonce == nonce for c in self.provider.codes.values())

    def resolve_client_private_key(self, client: Client) -> RSAKey:
        return self.provider.key

    def get_client_algorithm(self, client: Client) -> str:
        return "RS256"

    def get_client_claims(self, client: Client) -> dict[str, Any]:
        return {"iss": self.provider.issuer, "aud": [client.get_client_id()]}

    def get_encode_header(self, client: Client) -> dict[str, Any]:
        return {"alg": "RS256", "kid": self.provider.key.kid}

    def generate_user_info(self, user: str, scope: str) -> UserInfo:
        return UserInfo(sub=subject(self.provider.issuer, user))  # scope claims: at userinfo

    def get_authorization_code_claims(self, authorization_code: Any) -> dict[str, Any]:
        claims: dict[str, Any] = super().get_authorization_code_claims(authorization_code)
        wanted = authorization_code.id_token_claims()
        everything = self.provider.user_info(authorization_code.user_id, "profile idcard phone")
        claims.update({k: v for k, v in everything.items() if k in wanted})
        return claims


def _claims_parameter(raw: str | None) -> dict[str, Any]:
    try:
        parsed = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def phone_of(id_number: str) -> str:
    """A synthetic mobile number derived from the ID number (the sandbox has no phone book)."""
    return "13" + str(int(sm3_hex(id_number.encode())[:12], 16))[-9:]
