"""Authorization codes and the access tokens they give. A code is marked used in the statement
that reads it, so it gives tokens once across processes; a second use is a replay, and the tokens
of the first are revoked (RFC 6749 §4.1.2, OAuth 2.0 Security BCP §4.5). Used codes are kept until
their tokens have expired, then pruned with the expired tokens."""

import datetime as dt
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.county.auth import secret_hash
from ruxue.kit.clock import utcnow
from ruxue.kit.db import Database
from ruxue.provider.models import AuthorizationCode, CountySession, ProviderToken
from ruxue.provider.server import TOKEN_TTL_S, Code

COLUMNS = [c.key for c in AuthorizationCode.__table__.c if c.key != "used_at"]


def _code(row: AuthorizationCode, replayed: bool) -> Code:
    return Code(**{k: getattr(row, k) for k in COLUMNS}, replayed=replayed)


async def save_codes(session: AsyncSession, codes: list[Code]) -> None:
    """New codes, each with the county session it opens (for back-channel logout)."""
    for c in codes:
        session.add(AuthorizationCode(**{k: getattr(c, k) for k in COLUMNS}))
        session.add(CountySession(sid=c.user["sid"], subject=c.user["sub"], client_id=c.client_id))
    await session.flush()


async def consume_code(session: AsyncSession, code: str) -> Code | None:
    """The code, marked used in the same statement; one already used comes back ``replayed``."""
    if not code:
        return None
    taken = (
        update(AuthorizationCode)
        .where(AuthorizationCode.code == code, AuthorizationCode.used_at.is_(None))
        .values(used_at=utcnow())
        .returning(AuthorizationCode)
        .execution_options(synchronize_session=False)
    )
    row = (await session.scalars(taken)).one_or_none()
    if row is not None:
        return _code(row, replayed=False)
    used = await session.get(AuthorizationCode, code)
    return _code(used, replayed=True) if used is not None else None


async def save_tokens(
    session: AsyncSession, tokens: list[tuple[dict[str, Any], Any]], code: Code
) -> None:
    for token, request in tokens:
        session.add(
            ProviderToken(
                token_hash=secret_hash(token["access_token"]),
                client_id=request.client.get_client_id(),
                subject=request.user["sub"],
                code_hash=secret_hash(code.code),
                scope=token.get("scope", ""),
                user=request.user,
                expires_at=utcnow() + dt.timedelta(seconds=TOKEN_TTL_S),
            )
        )
    await session.flush()


async def token_of(session: AsyncSession, bearer: str) -> ProviderToken | None:
    row = await session.get(ProviderToken, secret_hash(bearer)) if bearer else None
    return row if row is not None and row.expires_at > utcnow() else None


async def revoke_tokens_of_code(session: AsyncSession, code: str) -> int:
    gone = delete(ProviderToken).where(ProviderToken.code_hash == secret_hash(code))
    return int((await session.execute(gone)).rowcount)  # type: ignore[attr-defined]


async def revoke_grants_of(session: AsyncSession, subject: str, client_id: str) -> None:
    """The codes of the person at the client not yet exchanged (few: they live two minutes; the
    person is in their JSON, so they are picked here), then every access token. In that order: a
    token request that took a code first has committed its tokens by the time they are deleted."""
    unused = await session.scalars(
        select(AuthorizationCode).where(
            AuthorizationCode.client_id == client_id, AuthorizationCode.used_at.is_(None)
        )
    )
    theirs = [c.code for c in unused.all() if c.user.get("sub") == subject]
    await session.execute(delete(AuthorizationCode).where(AuthorizationCode.code.in_(theirs)))
    await session.execute(
        delete(ProviderToken).where(
            ProviderToken.subject == subject, ProviderToken.client_id == client_id
        )
    )


async def prune(db: Database) -> None:
    """Forget expired tokens, and codes whose tokens, if they gave any, have expired too."""
    now = utcnow()
    spent = now - dt.timedelta(seconds=TOKEN_TTL_S)
    async with db.write_session() as session:
        await session.execute(delete(ProviderToken).where(ProviderToken.expires_at < now))
        await session.execute(delete(AuthorizationCode).where(AuthorizationCode.expires_at < spent))
