"""Rate limits shared by every process: a counter per key in the database, whose window opens
with the first attempt (not at a clock boundary, where a burst could get twice the limit).

A counter is one upsert (``INSERT … ON CONFLICT DO UPDATE … RETURNING``), committed on its own so
a refused or failed request still counts. Keys are stored as a keyed hash: they hold usernames,
addresses or ID numbers."""

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Integer, String, case, literal
from sqlalchemy.orm import Mapped, mapped_column

from ruxue.kit import pii
from ruxue.kit.db import Base, Database, UtcDateTime, upsert_statement
from ruxue.kit.errors import RuxueError


class RateCounter(Base):
    __tablename__ = "rate_counter"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    window_start: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    count: Mapped[int] = mapped_column(Integer)


@dataclass(frozen=True)
class Limit:
    name: str  # part of the key, e.g. "login-ip"
    count: int  # allowed per window
    window: dt.timedelta


class TooManyRequests(RuxueError):
    status_code = 429
    code = "rate_limited"

    def __init__(self, retry_after: int) -> None:
        minutes = max(1, (retry_after + 59) // 60)
        super().__init__(f"操作过于频繁，请{minutes}分钟后再试。", retry_after=retry_after)
        self.headers = {"Retry-After": str(retry_after)}


def retry_after(count: int, limit: Limit, start: dt.datetime, now: dt.datetime) -> int | None:
    """Seconds to wait when ``count`` went over the limit in the window that began at ``start``."""
    if count <= limit.count:
        return None
    return max(1, int((start + limit.window - now).total_seconds() + 0.999))


async def take(db: Database, limit: Limit, subject: str, now: dt.datetime) -> None:
    """Count one attempt for ``subject`` under ``limit``; raise ``TooManyRequests`` over it."""
    key = pii.blind_index(f"{limit.name}:{subject}")[:64]
    table = RateCounter.__table__
    fresh = table.c.window_start <= now - limit.window  # the last window is over: a new one
    statement = upsert_statement(db, table, {"key": key, "window_start": now, "count": 1})
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.key],
        set_={
            "count": case((fresh, literal(1)), else_=table.c.count + 1),
            "window_start": case((fresh, literal(now, UtcDateTime())), else_=table.c.window_start),
        },
    ).returning(table.c.count, table.c.window_start)
    async with db.write_session() as session:
        count, began = (await session.execute(statement)).one()
    began = began if began.tzinfo else began.replace(tzinfo=dt.UTC)
    if (wait := retry_after(count, limit, began, now)) is not None:
        raise TooManyRequests(wait)
