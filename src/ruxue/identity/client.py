"""The relying party: OpenID Connect Core's authorization code flow with PKCE S256, against any
standard provider found by discovery. Authlib's client does the protocol (authorization URL,
token exchange, ID token validation); the state, PKCE verifier and nonce wait in a sealed cookie
of the browser (``state.py``), spent by its callback. This module adds what a government login
needs: the acr asked for and checked, iss/aud/azp/exp/iat checked, the attributes asked for in
the ID token (claims parameter) and taken from userinfo only when it lacks them, and every
failure a ``LoginFailed`` (a 401 page)."""

import json
import time
from dataclasses import dataclass
from typing import Any

import httpx
from authlib.integrations.starlette_client import OAuth, OAuthError
from authlib.oauth2.rfc7523 import PrivateKeyJWT
from authlib.oidc.core import CodeIDToken
from fastapi import Request
from fastapi.responses import RedirectResponse
from joserfc import errors as jose_errors
from joserfc.jws import JWSRegistry

from ruxue.identity import state as login_state
from ruxue.identity.keys import verified
from ruxue.identity.state import LoginState
from ruxue.kit.errors import Unauthorized, Unavailable
from ruxue.kit.http import shared_transport
from ruxue.settings import Settings
from ruxue.web.mode import ELDER_PARAM, is_elder

NAME = "idp"
FAILURES = (
    OAuthError,
    jose_errors.JoseError,
    httpx.HTTPError,
    ValueError,
    KeyError,
    TypeError,
)


PROVIDER_ERRORS = {
    "access_denied": "您取消了登录或未同意授权。",
    "login_required": "请重新登录。",
    "consent_required": "需要您同意授权后才能登录。",
    "interaction_required": "请重新登录。",
    "mismatching_state": "登录请求已失效或不属于本浏览器，请重新登录。",
    "invalid_grant": "登录凭证已使用或已过期，请重新登录。",
    "temporarily_unavailable": "统一身份认证平台暂时无法访问，请稍后再试。",
    "server_error": "统一身份认证平台暂时无法访问，请稍后再试。",
}


class LoginFailed(Unauthorized):
    code = "login_failed"


@dataclass(frozen=True)
class Login:
    """What a completed login tells: the provider, the subject and the claims (ID token first)."""

    issuer: str
    claims: dict[str, Any]
    id_token: str

    @property
    def subject(self) -> str:
        return str(self.claims["sub"])

    @property
    def sid(self) -> str:
        return str(self.claims.get("sid") or "")


def make_oauth(settings: Settings) -> OAuth:
    oauth = OAuth()
    secret, auth_method = settings.oidc_client_secret, settings.oidc_client_auth
    kwargs: dict[str, Any] = {"token_endpoint_auth_method": auth_method}
    if auth_method == "private_key_jwt":
        if settings.oidc_private_key_path is None:
            raise SystemExit(
                "RUXUE_OIDC_CLIENT_AUTH=private_key_jwt needs RUXUE_OIDC_PRIVATE_KEY_PATH"
            )
        secret = settings.oidc_private_key_path.read_text()
        kwargs["token_endpoint_auth_method"] = PrivateKeyJWT(alg="RS256")
    oauth.register(
        NAME,
        client_id=settings.oidc_client_id,
        client_secret=secret,
        server_metadata_url=f"{settings.idp_url.rstrip('/')}/.well-known/openid-configuration",
        client_kwargs={
            "scope": settings.oidc_scopes,
            "code_challenge_method": "S256",
            # Authlib makes a client per login step: they share the process's connections
            "transport": shared_transport(settings.ca_bundle),
            **kwargs,
        },
    )
    return oauth


def redirect_uri(settings: Settings) -> str:
    """From the configured public URL, never from the request's Host header."""
    return f"{settings.public_url.rstrip('/')}/auth/callback"


def acr_values(settings: Settings) -> list[str]:
    return settings.oidc_acr_values.split()


async def start(
    oauth: OAuth, request: Request, settings: Settings, prompt: str = "", after: str = ""
) -> RedirectResponse:
    """To the provider; what the callback will need sealed in the browser (``state.py``)."""
    client = oauth.create_client(NAME)
    try:
        metadata = await client.load_server_metadata()
        extra = {ELDER_PARAM: "1"} if settings.upstream_url and is_elder(request) else {}
        extra |= {"prompt": prompt} if prompt else {}
        if metadata.get("claims_parameter_supported") is True:
            extra["claims"] = _claims_request(settings)
        made = await client.create_authorization_url(
            redirect_uri(settings), acr_values=settings.oidc_acr_values, **extra
        )
    except FAILURES as exc:
        raise Unavailable("统一身份认证平台暂时无法访问，请稍后再试。") from exc
    expires = int(time.time()) + login_state.TTL_S
    started = LoginState(made["state"], made["code_verifier"], made["nonce"], after, expires)
    response = RedirectResponse(made["url"], status_code=302)
    cookie = login_state.cookie_header(login_state.seal(started), https(settings))
    response.headers.append("set-cookie", cookie)
    return response


async def finish(
    oauth: OAuth, request: Request, settings: Settings, started: LoginState | None
) -> Login:
    """The callback of the login ``started`` (None: not this browser's, or expired): exchange the
    code, validate the ID token, fetch userinfo if the ID token lacks the attributes; or
    LoginFailed."""
    client = oauth.create_client(NAME)
    query = request.query_params
    try:
        if error := query.get("error"):
            raise OAuthError(error=error, description=query.get("error_description"))
        if started is None:
            raise OAuthError(error="mismatching_state")
        metadata = await client.load_server_metadata()
        _check_response_issuer(query.get("iss"), metadata)
        token = await client.fetch_access_token(
            redirect_uri=redirect_uri(settings),
            code=query.get("code"),
            state=started.state,
            code_verifier=started.code_verifier,
        )
        if "id_token" not in token:
            raise LoginFailed("登录未完成：身份认证平台未返回身份令牌。")
        id_claims = await _id_token_claims(client, token, started.nonce, settings, metadata)
        acr = id_claims.get("acr")  # an authentication event's claim: from the ID token only
        claims = await _with_userinfo(client, token, dict(id_claims), metadata, settings)
    except OAuthError as exc:  # the provider's error code is shown only if it is a known one
        raise LoginFailed(f"登录未完成：{PROVIDER_ERRORS.get(exc.error, '请重新登录。')}") from None
    except FAILURES as exc:
        raise LoginFailed("登录未完成：身份令牌校验未通过，请重新登录。") from exc
    if acr not in acr_values(settings):
        raise LoginFailed("需要通过实名认证登录：身份认证平台未确认实名认证等级。")
    return Login(issuer=str(metadata["issuer"]), claims=claims, id_token=str(token["id_token"]))


def https(settings: Settings) -> bool:
    return settings.public_url.startswith("https")


def _check_response_issuer(given: str | None, metadata: dict[str, Any]) -> None:
    """RFC 9207: the authorization response names its issuer (mix-up defence); a wrong one is
    refused before the code is sent anywhere (and its state is spent: the callback clears it)."""
    required = metadata.get("authorization_response_iss_parameter_supported") is True
    if given == metadata["issuer"] or (given is None and not required):
        return
    raise LoginFailed("登录未完成：登录结果不是来自本平台的统一身份认证，请重新登录。")


def _attribute_claims(settings: Settings) -> tuple[str, str, str]:
    return settings.oidc_claim_id_number, settings.oidc_claim_name, settings.oidc_claim_phone


def _claims_request(settings: Settings) -> str:
    """OIDC Core 5.5: the verified attributes asked for in the ID token itself, so that a provider
    honouring it spares the login its userinfo call (the ID number essential, the rest wanted)."""
    id_number, *others = _attribute_claims(settings)
    wanted = {id_number: {"essential": True}, **dict.fromkeys(others)}
    return json.dumps({"id_token": wanted}, separators=(",", ":"))


async def _id_token_claims(
    client: Any, token: dict[str, Any], nonce: str, settings: Settings, metadata: dict[str, Any]
) -> dict[str, Any]:
    """The ID token verified once, as Authlib's ``parse_id_token`` does (signature, then iss, aud,
    azp, exp, iat, nonce, at_hash), with the provider's keys parsed once (``keys.py``)."""
    algorithms = metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
    registry = JWSRegistry(algorithms=algorithms, strict_check_header=False)
    decoded = await verified(client, str(token["id_token"]), registry)
    params = {"nonce": nonce, "client_id": client.client_id, "access_token": token["access_token"]}
    claims = CodeIDToken(
        decoded.claims, decoded.header, _claims_options(settings, metadata), params
    )
    claims.validate(leeway=settings.oidc_leeway_s)
    return dict(claims)


def _claims_options(settings: Settings, metadata: dict[str, Any]) -> dict[str, Any]:
    return {
        "iss": {"essential": True, "values": [metadata["issuer"]]},
        "aud": {"essential": True, "values": [settings.oidc_client_id]},
        "sub": {"essential": True},
        "exp": {"essential": True},
        "iat": {"essential": True},
    }


async def _with_userinfo(
    client: Any,
    token: dict[str, Any],
    claims: dict[str, Any],
    metadata: dict[str, Any],
    settings: Settings,
) -> dict[str, Any]:
    """OIDC Core 5.4: scope claims come from userinfo in the code flow, unless the ID token
    carries them already (asked for by the claims parameter); its sub must match."""
    if all(name in claims for name in _attribute_claims(settings)):
        return claims
    if not metadata.get("userinfo_endpoint"):
        return claims
    info = dict(await client.userinfo(token=token))
    if info.get("sub") != claims["sub"]:
        raise LoginFailed("登录未完成：用户信息与身份令牌不一致。")
    return {**info, **claims}  # the signed ID token wins where both carry a claim


async def end_session_url(
    oauth: OAuth, request: Request, settings: Settings, id_token: str
) -> str | None:
    """RP-initiated logout at the provider, when it offers an end_session_endpoint."""
    client = oauth.create_client(NAME)
    try:
        metadata = await client.load_server_metadata()
        if not metadata.get("end_session_endpoint"):
            return None
        result = await client.create_logout_url(
            post_logout_redirect_uri=f"{settings.public_url.rstrip('/')}/",
            id_token_hint=id_token or None,
            client_id=settings.oidc_client_id,
        )
    except FAILURES:
        return None
    return str(result["url"])
