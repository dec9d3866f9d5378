"""OAuth 2.0 client credentials for county systems (RFC 6749 §4.4), with the client authenticated
by its secret (``client_secret_basic``/``_post``) or by a signed assertion (``private_key_jwt``,
RFC 7523 §2.2, checked against the JWKS the city registered for it, or fetched from its registered
``jwks_uri`` by ``jwks.py``).

Written here rather than on Authlib's ``AuthorizationServer``: that server wants framework request
adapters Authlib does not ship for Starlette, and the grant is one form post. joserfc (Authlib's
JOSE library) does the cryptography. Tokens are opaque, kept as their SHA-256, 10 minutes."""

import base64
import datetime as dt
import hashlib
import hmac
import json
import secrets
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry
from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.county.models import AccessToken, Client, UsedAssertion
from ruxue.kit.clock import utcnow
from ruxue.kit.errors import RuxueError, Unauthorized

TOKEN_TTL = dt.timedelta(minutes=10)
ALGS = ["RS256", "PS256", "ES256"]
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


BASIC_CHALLENGE = 'Basic realm="ruxue"'
BEARER_CHALLENGE = 'Bearer realm="ruxue"'


class InvalidClient(Unauthorized):
    """A client that did not authenticate (RFC 6749 §5.2): the 401 names the scheme to use."""

    code = "invalid_client"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.headers["WWW-Authenticate"] = BASIC_CHALLENGE


class InvalidToken(Unauthorized):
    """A bearer token missing or refused (RFC 6750 §3): the 401 says so in ``WWW-Authenticate``."""

    code = "invalid_token"

    def __init__(self, message: str, error: str = "invalid_token") -> None:
        super().__init__(message)
        challenge = BEARER_CHALLENGE + (f', error="{error}"' if error else "")
        self.headers["WWW-Authenticate"] = challenge


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()  # secrets are 256-bit random: no KDF needed


def basic_credentials(header: str) -> tuple[str, str] | None:
    if not header.lower().startswith("basic "):
        return None
    try:
        raw = base64.b64decode(header[6:], validate=True).decode()
    except ValueError:
        raise InvalidClient("客户端认证信息格式错误。") from None
    client_id, _, secret = raw.partition(":")
    return client_id, secret


async def authenticate(
    session: AsyncSession,
    form: dict[str, str],
    authorization: str,
    audience: str,
    fetched: tuple[str, dict[str, Any]] | None = None,
) -> Client:
    """The client of a token request, authenticated one of the three ways, or ``invalid_client``.
    ``fetched``: the client's keys from its ``jwks_uri`` (``county/jwks.py``, before the
    transaction)."""
    if form.get("client_assertion_type") == ASSERTION_TYPE:
        return await _by_assertion(session, form.get("client_assertion", ""), audience, fetched)
    credentials = basic_credentials(authorization) or (
        form.get("client_id", ""),
        form.get("client_secret", ""),
    )
    client = await session.get(Client, credentials[0]) if credentials[0] else None
    if client is None or not client.active or not client.secret_hash:
        raise InvalidClient("客户端认证失败。")
    if not hmac.compare_digest(client.secret_hash, secret_hash(credentials[1])):
        raise InvalidClient("客户端认证失败。")
    return client


async def _by_assertion(
    session: AsyncSession, assertion: str, audience: str, fetched: tuple[str, dict[str, Any]] | None
) -> Client:
    client = await session.get(Client, unverified_subject(assertion))
    jwks = client_keys(client, fetched) if client is not None else {}
    if client is None or not client.active or not jwks:
        raise InvalidClient("客户端认证失败。")
    registry = jwt.JWTClaimsRegistry(
        leeway=30,
        iss={"essential": True, "value": client.client_id},
        sub={"essential": True, "value": client.client_id},
        aud={"essential": True, "value": audience},
        exp={"essential": True},
        jti={"essential": True},
    )
    try:
        keys = KeySet.import_key_set(jwks)  # type: ignore[arg-type]
        claims = jwt.decode(assertion, keys, registry=JWSRegistry(algorithms=ALGS)).claims
        registry.validate(claims)
    except (JoseError, ValueError, TypeError):
        raise InvalidClient("客户端断言校验失败。") from None
    await use_once(session, str(claims["jti"]), int(claims["exp"]))
    return client


def client_keys(client: Client, fetched: tuple[str, dict[str, Any]] | None) -> dict[str, Any]:
    """The JWKS registered for ``client``, or the one fetched from its ``jwks_uri`` for it."""
    if client.jwks:
        return dict(client.jwks)
    return fetched[1] if fetched and fetched[0] == client.client_id else {}


def unverified_subject(assertion: str) -> str:
    """The ``sub`` of an assertion before its signature is checked: it names the key to check with."""
    try:
        body = assertion.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        return str(claims.get("sub", "")) if isinstance(claims, dict) else ""
    except (IndexError, ValueError):
        raise InvalidClient("客户端断言无法解析。") from None


async def use_once(session: AsyncSession, jti: str, exp: int) -> None:
    """Record an assertion's ``jti`` until it expires; one seen before is a replay. The insert
    does nothing on a conflict, so two requests with the same assertion cannot both pass."""
    now = utcnow()
    await session.execute(delete(UsedAssertion).where(UsedAssertion.expires_at < now))
    expires = dt.datetime.fromtimestamp(exp, dt.UTC)
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    taken = (
        insert(UsedAssertion)
        .values(jti=jti, expires_at=expires)
        .on_conflict_do_nothing()
        .returning(UsedAssertion.jti)
    )
    if (await session.execute(taken)).first() is None:
        raise InvalidClient("客户端断言已使用过。")


async def issue(session: AsyncSession, client: Client) -> tuple[str, int]:
    token = secrets.token_urlsafe(32)
    session.add(
        AccessToken(
            token_hash=secret_hash(token),
            client_id=client.client_id,
            expires_at=utcnow() + TOKEN_TTL,
        )
    )
    await session.flush()
    return token, int(TOKEN_TTL.total_seconds())


async def client_of_token(session: AsyncSession, authorization: str) -> Client:
    """The client a bearer token was issued to, or 401."""
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise InvalidToken("缺少访问令牌（Authorization: Bearer …）。", error="")
    row = await session.get(AccessToken, secret_hash(token.strip()))
    client = await session.get(Client, row.client_id) if row else None
    if row is None or row.expires_at < utcnow() or client is None or not client.active:
        raise InvalidToken("访问令牌无效或已过期。")
    return client


def check_grant(form: dict[str, str]) -> None:
    if form.get("grant_type") != "client_credentials":
        raise RuxueError("只支持 client_credentials 授权方式。", code="unsupported_grant_type")


async def prune_tokens(session: AsyncSession) -> None:
    await session.execute(delete(AccessToken).where(AccessToken.expires_at < utcnow()))


async def clients(session: AsyncSession) -> list[Client]:
    return list((await session.scalars(select(Client).order_by(Client.client_id))).all())
