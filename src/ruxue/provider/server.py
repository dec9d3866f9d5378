"""Authlib's authorization server, built per request around rows read beforehand.

Authlib's grants call their storage hooks synchronously, and the app's database is async; so a
request first reads what the grant will ask for (the client; at the token endpoint, the code,
already consumed by ``DELETE … RETURNING`` so it is single use under concurrency), runs Authlib's
protocol code on those, and afterwards writes what the grant produced (new codes, tokens). Authlib
does the protocol: response types, redirect URI checks, PKCE S256, nonce, client authentication
at the token endpoint (secret or ``private_key_jwt``), the ID token (``authlib.oidc.core``). The shape is the sandbox provider's
(``sandbox/idp.py``); both take their request glue from ``kit/oauth.py``."""

import datetime as dt
import secrets
from dataclasses import dataclass, field
from typing import Any, ClassVar

from authlib.common.security import generate_token
from authlib.common.urls import add_params_to_uri
from authlib.oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import ClientMixin, InvalidClientError, OAuth2Request
from authlib.oauth2.rfc6749.grants import AuthorizationCodeGrant
from authlib.oauth2.rfc6750 import BearerTokenGenerator
from authlib.oauth2.rfc7523 import JWTBearerClientAssertion
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, RSAKey
from starlette.responses import JSONResponse, Response

from ruxue.county.auth import ALGS, BASIC_CHALLENGE, client_keys, secret_hash
from ruxue.county.models import Client
from ruxue.kit import pii
from ruxue.kit.clock import utcnow
from ruxue.kit.oauth import S256Only
from ruxue.person.rules import mask_id_number

SCOPES = ["openid", "profile", "idcard", "phone"]
CODE_TTL_S = 120
TOKEN_TTL_S = 600


@dataclass
class CountyClient(ClientMixin):
    row: Client

    def get_client_id(self) -> str:
        return self.row.client_id

    def get_default_redirect_uri(self) -> str:
        return self.row.redirect_uris[0] if self.row.redirect_uris else ""

    def get_allowed_scope(self, scope: str) -> str:
        return " ".join(s for s in (scope or "").split() if s in SCOPES)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.row.redirect_uris  # exact match, as OIDC Core 3.1.2.1 asks

    def check_client_secret(self, client_secret: str) -> bool:
        return secrets.compare_digest(self.row.secret_hash, secret_hash(client_secret))

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        if method == "private_key_jwt":
            return bool(self.row.jwks or self.row.jwks_uri)
        return method in ("client_secret_basic", "client_secret_post") and bool(
            self.row.secret_hash
        )

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "authorization_code"


@dataclass
class Code:
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    user: dict[str, Any]
    expires_at: dt.datetime = field(
        default_factory=lambda: utcnow() + dt.timedelta(seconds=CODE_TTL_S)
    )
    replayed: bool = False  # used before: this request is refused and the first one's tokens go

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str | None:
        return self.nonce

    def get_auth_time(self) -> int:
        return int(self.user["auth_time"])

    def get_acr(self) -> str | None:
        return str(self.user.get("acr") or "") or None  # the provincial login's, passed through

    def get_amr(self) -> list[str] | None:
        return None


class CityProvider(AuthorizationServer):
    def __init__(
        self, issuer: str, key: RSAKey, clients: list[Client], code: Code | None = None
    ) -> None:
        super().__init__(scopes_supported=SCOPES)
        self.issuer, self.key = issuer, key
        self.clients = {c.client_id: CountyClient(c) for c in clients if c.active}
        self.code = code  # the one this token request consumed
        self.replayed: Code | None = None  # a code its own client used a second time
        self.new_codes: list[Code] = []
        self.new_tokens: list[tuple[dict[str, Any], OAuth2Request]] = []
        self.assertions: list[tuple[str, int]] = []  # (jti, exp) of client assertions checked
        self.fetched_keys: tuple[str, dict[str, Any]] | None = None  # a client's, by jwks_uri
        self.register_grant(CodeGrant, [S256Only(required=True), OpenID(self)])
        self.register_token_generator(
            "default",
            BearerTokenGenerator(lambda *a, **k: generate_token(42), None, lambda *a: TOKEN_TTL_S),
        )
        self.register_client_auth_method(PrivateKeyJWT.CLIENT_AUTH_METHOD, PrivateKeyJWT(self))

    def query_client(self, client_id: str) -> CountyClient | None:
        return self.clients.get(client_id)

    def save_token(self, token: dict[str, Any], request: OAuth2Request) -> None:
        self.new_tokens.append((token, request))

    def handle_response(self, status: int, body: Any, headers: Any) -> Response:
        if isinstance(body, dict) and body.get("error") == "invalid_client":
            status = 401  # whichever way the client authenticated (RFC 6749 §5.2 allows it)
            headers = [*headers, ("WWW-Authenticate", BASIC_CHALLENGE)]
        headers = [(k, self._with_iss(v) if k.lower() == "location" else v) for k, v in headers]
        if isinstance(body, dict):
            return JSONResponse(body, status_code=status, headers=dict(headers))
        return Response(body, status_code=status, headers=dict(headers))

    def _with_iss(self, location: str) -> str:
        """Every authorization response, an error too, names its issuer (RFC 9207), so that a
        county talking to several providers knows whose code or error it got (mix-up attacks)."""
        return add_params_to_uri(location, {"iss": self.issuer})

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        return None

    def create_oauth2_request(self, request: Any) -> OAuth2Request:
        if isinstance(request, OAuth2Request):
            return request
        raise TypeError("build requests with kit.oauth.oauth2_request()")


class PrivateKeyJWT(JWTBearerClientAssertion):
    """``private_key_jwt`` (RFC 7523 §2.2) checked by Authlib against the JWKS registered for the
    client (``ruxue clients add --jwks``) or fetched from its ``--jwks-uri`` before the
    transaction (``county/jwks.py``), as the case-report API checks it (``county/auth.py``).
    A ``jti`` is only noted here: the token request records it in its transaction
    (``county.auth.use_once``), where a replay is refused."""

    CLIENT_AUTH_METHOD = "private_key_jwt"

    def __init__(self, provider: CityProvider) -> None:
        super().__init__(leeway=30)
        self.provider = provider

    def get_audiences(self) -> list[str]:
        return [f"{self.provider.issuer}/token", self.provider.issuer]

    def validate_jti(self, claims: Any, jti: str) -> bool:
        self.provider.assertions.append((str(jti), int(claims["exp"])))
        return True

    def process_assertion_claims(self, assertion: str, resolve_key: Any) -> dict[str, Any]:
        """Authlib's check with only the algorithms discovery advertises (``county.auth.ALGS``):
        never ``none``, never an HMAC (keyed with a public key, or with a secret wrongly
        registered in the JWKS), and PS256, which joserfc's default list leaves out, accepted."""
        try:
            token = jwt.decode(assertion, resolve_key, algorithms=ALGS)
        except JoseError as exc:
            raise InvalidClientError(description=exc.description) from exc
        self.verify_claims(token.claims)
        return token.claims

    def resolve_client_public_key(self, client: CountyClient) -> KeySet:
        jwks = client_keys(client.row, self.provider.fetched_keys)
        if not jwks:
            raise InvalidClientError(description="no JWKS registered for this client")
        return KeySet.import_key_set(jwks)  # type: ignore[arg-type]


class CodeGrant(AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS: ClassVar[list[str]] = [
        "client_secret_basic",
        "client_secret_post",
        "private_key_jwt",
    ]

    def save_authorization_code(self, code: str, request: OAuth2Request) -> None:
        data = request.payload.data
        self.server.new_codes.append(
            Code(
                code=code,
                client_id=request.client.get_client_id(),
                redirect_uri=data.get("redirect_uri") or "",
                scope=request.scope or "",
                nonce=data.get("nonce"),
                code_challenge=data.get("code_challenge"),
                code_challenge_method=data.get("code_challenge_method"),
                user=request.user,
            )
        )

    def query_authorization_code(self, code: str, client: CountyClient) -> Code | None:
        """The code this request consumed, if it is this client's; a code used before is refused,
        and noted when its own (authenticated) client used it again: its tokens are revoked."""
        found = self.server.code
        if not found or found.code != code or found.client_id != client.get_client_id():
            return None
        if found.replayed:
            self.server.replayed = found
            return None
        return found if found.expires_at > utcnow() else None

    def delete_authorization_code(self, authorization_code: Code) -> None:
        return None  # consumed when it was read

    def authenticate_user(self, authorization_code: Code) -> dict[str, Any]:
        return authorization_code.user


class OpenID(OpenIDCode):
    def __init__(self, provider: CityProvider) -> None:
        super().__init__(require_nonce=False)
        self.provider = provider

    def exists_nonce(self, nonce: str, request: OAuth2Request) -> bool:
        return False  # a nonce is bound to its code, which is used once

    def resolve_client_private_key(self, client: CountyClient) -> RSAKey:
        return self.provider.key

    def get_client_algorithm(self, client: CountyClient) -> str:
        return "RS256"

    def get_client_claims(self, client: CountyClient) -> dict[str, Any]:
        return {"iss": self.provider.issuer, "aud": [client.get_client_id()]}

    def get_encode_header(self, client: CountyClient) -> dict[str, Any]:
        return {"alg": "RS256", "kid": self.provider.key.kid}

    def generate_user_info(self, user: dict[str, Any], scope: str) -> UserInfo:
        # the scope claims are at userinfo; the subject is this county's own (pairwise)
        client_id = self.provider.code.client_id if self.provider.code else ""
        return UserInfo(sub=pii.pairwise_subject(client_id, user["sub"]))

    def get_authorization_code_claims(self, authorization_code: Code) -> dict[str, Any]:
        claims: dict[str, Any] = super().get_authorization_code_claims(authorization_code)
        claims["sid"] = authorization_code.user["sid"]  # for back-channel logout
        return claims


def user_claims(user: dict[str, Any], scope: str, client: Client) -> dict[str, Any]:
    """Userinfo for ``scope``: the ID number in full only for a client whose role needs it."""
    claims: dict[str, Any] = {"sub": pii.pairwise_subject(client.client_id, user["sub"])}
    if "profile" in scope.split():
        claims["name"] = user["name"]
    if "idcard" in scope.split():
        number = pii.decrypt(str(user["id_enc"]))
        claims["id_number"] = number if client.full_id_number else mask_id_number(number)
    if "phone" in scope.split() and user.get("phone_enc"):
        claims["phone_number"] = pii.decrypt(str(user["phone_enc"]))
    return claims
