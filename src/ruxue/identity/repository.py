"""Rate limits on sends to third persons: checked and recorded in one write transaction."""

import datetime as dt

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.identity.models import SmsSend
from ruxue.identity.rules import DAY, MIN_GAP, send_wait, wait_text
from ruxue.kit.clock import utcnow
from ruxue.kit.errors import RuxueError


class TooSoon(RuxueError):
    status_code = 429
    code = "too_many_requests"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message, retry_after=retry_after)
        self.retry_after = retry_after
        self.headers = {"Retry-After": str(retry_after)}


async def take_send(session: AsyncSession, keys: list[str], what: str) -> None:
    """Count one send against every key, or raise ``TooSoon`` when any key has had too many."""
    await _lock(session, keys)
    now = utcnow()
    query = select(SmsSend.key, SmsSend.at).where(SmsSend.key.in_(keys), SmsSend.at > now - DAY)
    rows = (await session.execute(query)).all()
    wait = max(send_wait([at for k, at in rows if k == key], now, _gap(key)) for key in keys)
    if wait:
        raise TooSoon(f"{what}发送过于频繁，请{wait_text(wait)}后再试。", wait)
    session.add_all(SmsSend(key=key, at=now) for key in keys)
    await session.flush()


def _gap(key: str) -> dt.timedelta:
    """One code a minute per case; a person (the other parent of twins, say) only a daily cap."""
    return dt.timedelta(0) if key.startswith("person:") else MIN_GAP


async def _lock(session: AsyncSession, keys: list[str]) -> None:
    """PostgreSQL: two requests for one key take turns, so both cannot pass the count. SQLite has
    one writer at a time already."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for key in sorted(keys):
        await session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": key})
