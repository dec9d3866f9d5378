"""Logout initiated by the provider: OpenID Connect Back-Channel Logout 1.0 (a signed logout token
POSTed server to server) and Front-Channel Logout 1.0 (iss and sid in a URL the browser loads).
Either ends the server-side sessions of that provider session (sid) or subject (sub)."""

import time
from typing import Any

from joserfc.jws import JWSRegistry

from ruxue.identity.client import FAILURES, NAME
from ruxue.identity.keys import verified
from ruxue.kit.sessions import idp_keys
from ruxue.settings import Settings

EVENT = "http://schemas.openid.net/event/backchannel-logout"
MAX_AGE_S = 300


class BadLogoutToken(Exception):
    pass


async def logout_token_keys(
    oauth: Any, token: str, settings: Settings
) -> tuple[list[str], list[str]]:
    """Validate a logout token (section 2.6); the (sid keys, sub keys) of the sessions to end."""
    client = oauth.create_client(NAME)
    try:
        metadata = await client.load_server_metadata()
        algs = metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
        decoded = await verified(client, token, JWSRegistry(algorithms=algs))
    except FAILURES as exc:
        raise BadLogoutToken("signature") from exc
    claims, issuer = decoded.claims, str(metadata["issuer"])
    _check(claims, decoded.header, issuer, settings)
    sid, sub = str(claims.get("sid") or ""), str(claims.get("sub") or "")
    return idp_keys(issuer, sid), idp_keys(issuer, sub)


def _check(claims: dict[str, Any], header: dict[str, Any], issuer: str, settings: Settings) -> None:
    aud = claims.get("aud")
    audiences = aud if isinstance(aud, list) else [aud]
    now, leeway = time.time(), settings.oidc_leeway_s
    problems = {
        "iss": claims.get("iss") != issuer,
        "aud": settings.oidc_client_id not in audiences,
        "iat": not isinstance(claims.get("iat"), int | float)
        or not now - MAX_AGE_S - leeway <= claims["iat"] <= now + leeway,
        "exp": isinstance(claims.get("exp"), int | float) and claims["exp"] < now - leeway,
        "jti": not claims.get("jti"),
        "events": not isinstance((claims.get("events") or {}).get(EVENT), dict),
        "sub_sid": not (claims.get("sub") or claims.get("sid")),
        "nonce": "nonce" in claims,  # a logout token must not be an ID token
        "typ": header.get("typ") not in (None, "logout+jwt", "JWT"),
    }
    bad = [name for name, wrong in problems.items() if wrong]
    if bad:
        raise BadLogoutToken(",".join(bad))


def frontchannel_keys(issuer_param: str, sid: str, issuer: str) -> list[str]:
    """Front-channel logout: the sid key, if the iss parameter names our provider."""
    if not sid or issuer_param != issuer:
        raise BadLogoutToken("iss")
    return idp_keys(issuer, sid)
