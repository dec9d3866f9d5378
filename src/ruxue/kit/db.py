"""Database plumbing: one declarative base, engines, and the session boundary.

Services only ``flush()``; the request or job boundary (``write_session``) commits or rolls back.
Dashboards take ``read_session``, which can point at a replica later.
"""

import asyncio
import datetime as dt
import sqlite3
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import structlog
from sqlalchemy import (
    BigInteger,
    ColumnElement,
    DateTime,
    Executable,
    Integer,
    MetaData,
    Update,
    and_,
    event,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlalchemy.engine import Row as ResultRow
from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

from ruxue.kit.clock import CLOCK_KEY, utcnow
from ruxue.kit.sqlite import fewer_thread_calls

log = structlog.get_logger("db")

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


# 64-bit ids on PostgreSQL; SQLite's rowid alias must be plain INTEGER to autoincrement
BigId = BigInteger().with_variant(Integer, "sqlite")


class UtcDateTime(TypeDecorator[dt.datetime]):
    """Timezone-aware UTC on every backend (SQLite stores naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value


BUSY_TIMEOUT_S = 30  # how long a writer waits for its turn, in SQLite and in ``Database._writer``


def _sqlite_pragmas(dbapi_connection: Any, _: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_S * 1000}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


PING_AFTER_IDLE_S = 10.0


def create_engine(
    url: str, pool_size: int = 20, ping_after_idle_s: float = PING_AFTER_IDLE_S
) -> AsyncEngine:
    if url.startswith("sqlite"):
        engine = create_async_engine(url, connect_args={"timeout": 30})
        sync_engine: Engine = engine.sync_engine
        event.listen(sync_engine, "connect", _sqlite_pragmas)
        fewer_thread_calls(sync_engine)  # one call to aiosqlite's thread per statement
        return engine
    # connections beyond the pool are closed when returned and opened again on the next burst
    # (a TCP, TLS-attempt and start-up round trip each): size the pool for the peak, keep the
    # overflow small
    engine = create_async_engine(url, pool_size=pool_size, max_overflow=pool_size // 2)
    _ping_when_idle(engine.sync_engine, ping_after_idle_s)
    return engine


def _ping_when_idle(engine: Engine, after_s: float) -> None:
    """Pessimistic disconnect handling, for connections that sat idle only. SQLAlchemy's
    ``pool_pre_ping`` pings on every checkout — with asyncpg a BEGIN and a ROLLBACK, two round
    trips, ~18 % of the app's CPU at the peak (py-spy) — while a connection in steady use has
    just proved itself. After a database restart the first checkout of an idle connection pings,
    fails, and the pool opens a fresh one (``DisconnectionError``); a connection that breaks in
    use is detected by SQLAlchemy, which invalidates the pool's older connections."""

    @event.listens_for(engine, "checkin")
    def _idle_from(dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        since = record.info.get("idle_since")
        if since is None or time.monotonic() - since < after_s:
            return  # new, or in steady use
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:
            raise DisconnectionError("idle connection is gone") from exc


class Database:
    """Engines and session factories of one process."""

    def __init__(
        self,
        url: str,
        clock: Callable[[], dt.datetime] = utcnow,
        pool_size: int = 20,
        ping_after_idle_s: float = PING_AFTER_IDLE_S,
    ) -> None:
        self.url = url
        self.engine = create_engine(url, pool_size, ping_after_idle_s)
        self.sessions = async_sessionmaker(
            self.engine, expire_on_commit=False, info={CLOCK_KEY: clock}
        )
        self._writers: tuple[asyncio.AbstractEventLoop, asyncio.Lock] | None = None
        self._holder: asyncio.Task[object] | None = None

    @property
    def is_sqlite(self) -> bool:
        return self.url.startswith("sqlite")

    @asynccontextmanager
    async def write_session(self) -> AsyncIterator[AsyncSession]:
        if self.is_sqlite:
            # SQLite has one writer at a time; left to itself, a second writer waits in SQLite's
            # busy handler, which sleeps in steps of up to 100 ms — measured under load, steps
            # waited seconds with the CPU idle. Writers of this process queue here instead, in
            # order, and each starts the moment the one before commits.
            async with self._writer(), self._session() as session:
                yield session
        else:
            async with self._session() as session:
                yield session

    @asynccontextmanager
    async def _session(self) -> AsyncIterator[AsyncSession]:
        async with self.sessions() as session:
            try:
                yield session
                await session.commit()
            except BaseException:
                session.info.pop(AFTER_COMMIT, None)
                await session.rollback()
                raise
        _send_jobs(session.info.pop(AFTER_COMMIT, {}))

    @asynccontextmanager
    async def _writer(self) -> AsyncIterator[None]:
        """This process's turn to write. A task that already holds it and asks again (a write
        session inside another) is refused at once instead of waiting for itself forever; a
        wait longer than SQLite's own busy timeout fails as SQLite would."""
        loop, task = asyncio.get_running_loop(), asyncio.current_task()
        if self._writers is None or self._writers[0] is not loop:  # one per loop: tests run several
            self._writers = (loop, asyncio.Lock())
        lock = self._writers[1]
        if lock.locked() and self._holder is task:
            raise RuntimeError(
                "a write session inside another in the same task would wait for itself"
            )
        try:
            async with asyncio.timeout(BUSY_TIMEOUT_S):
                await lock.acquire()
        except TimeoutError:
            raise OperationalError(
                "waiting for the write turn", None, Exception("database is locked")
            ) from None
        self._holder = task
        try:
            yield
        finally:
            self._holder = None
            lock.release()

    @asynccontextmanager
    async def read_session(self) -> AsyncIterator[AsyncSession]:
        async with self.sessions() as session:
            yield session

    async def read_row(
        self, statement: Executable, params: dict[str, Any]
    ) -> ResultRow[Any] | None:
        """The first row of one Core statement, on a connection of the pool: no ORM session, no
        identity map, no instances (for a read on every request, e.g. the session row)."""
        async with self.engine.connect() as connection:
            return (await connection.execute(statement, params)).first()

    async def dispose(self) -> None:
        await self.engine.dispose()


# SQLSTATE classes of a server that cannot serve now: 08 connection exception, 53 insufficient
# resources (too many connections), 57P admin or crash shutdown, cannot connect now (starting up)
UNAVAILABLE_SQLSTATES = ("08", "53", "57P")
# SQLite raises OperationalError for a busy or missing file and for our own bugs alike ("no such
# table", syntax errors): only these messages say it cannot serve now.
SQLITE_PASSING = ("locked", "unable to open", "disk i/o error", "busy")


def _passing(exc: Exception) -> bool:
    orig = getattr(exc, "orig", None)
    if isinstance(orig, sqlite3.Error):
        return any(words in str(orig).lower() for words in SQLITE_PASSING)
    return True


def database_unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` (or an error it came from) says the database cannot serve now — down,
    restarting, out of connections, the pool or the write turn waited out — rather than that the
    request or the code is wrong. A passing condition: worth a 503 with Retry-After, not a 500."""
    seen: BaseException | None = exc
    for _ in range(10):  # a chain is short; a cycle of causes must not loop forever
        if seen is None:
            return False
        if isinstance(seen, OperationalError | InterfaceError | PoolTimeout):
            return _passing(seen)
        if isinstance(seen, DBAPIError) and seen.connection_invalidated:
            return True
        if str(getattr(seen, "sqlstate", None) or "").startswith(UNAVAILABLE_SQLSTATES):
            return True
        if isinstance(seen, ConnectionError | TimeoutError):  # asyncpg's connect raises these bare
            return True
        seen = seen.__cause__ or seen.__context__
    return False


AFTER_COMMIT = "ruxue.after_commit"


def enqueue_after_commit(session: AsyncSession, job: Callable[..., object], *args: Any) -> None:
    """Queue ``job(*args)`` once this unit of work commits (``Database.write_session``); a rollback
    drops it. The same job with the same (hashable) arguments is queued once per commit."""
    session.info.setdefault(AFTER_COMMIT, {})[(job, args)] = None


def _send_jobs(jobs: dict[tuple[Callable[..., object], tuple[Any, ...]], None]) -> None:
    for job, args in jobs:
        try:
            job(*args)
        except Exception as exc:  # the rows are committed; every job kind has a sweep
            log.warning(
                "could not queue a job", job=getattr(job, "name", repr(job)), error=str(exc)
            )


Row = TypeVar("Row", bound=Base)


def upsert_statement(db: Database, table: Any, values: dict[str, Any]) -> Any:
    """An INSERT of ``values`` in the dialect of ``db``, ready for ``on_conflict_do_*``."""
    insert = sqlite_insert if db.is_sqlite else pg_insert
    return insert(table).values(**values)


async def locked_row(
    session: AsyncSession, model: type[Row], key: dict[str, Any], initial: dict[str, Any]
) -> Row:
    """The row of ``model`` with primary key ``key``, locked for the rest of the transaction before
    anything of it is read: a no-op UPDATE locks the row on PostgreSQL and starts SQLite's write
    transaction (a plain SELECT would do neither). A missing row is created with ``initial``, by
    INSERT … ON CONFLICT DO NOTHING, so two first writers cannot collide. For heads of logs (the
    call log's chains, the archive's Merkle log) that every append reads and moves on."""
    touch = getattr(model, next(iter(initial)))
    lock = (
        update(model)
        .filter_by(**key)
        .values({touch: touch})
        .returning(model)  # the locked row in the same round trip
        .execution_options(populate_existing=True)
    )
    row = (await session.scalars(lock)).one_or_none()
    if row is None:
        insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        await session.execute(insert(model).values(**key, **initial).on_conflict_do_nothing())
        row = (await session.scalars(lock)).one()
    return row


def lease_claim(
    model: type[Any],
    due: ColumnElement[bool],
    now: dt.datetime,
    lease: dt.timedelta,
    batch: int,
    **values: Any,
) -> Update:
    """An UPDATE that takes up to ``batch`` rows of ``model`` (columns ``id``, ``claimed_until``,
    ``attempts``) that are ``due`` and not under another's lease, lowest id first: leased until
    ``now + lease``, counted as an attempt, set to ``values``. Add ``.returning(…)`` and run it in a
    short transaction of its own; do the slow part (a call out) with none open, then write the
    outcome. The rows are picked in a materialized CTE with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL
    (as a plain subquery PostgreSQL may run it again for each row it updates, and one claimer took
    every row); the UPDATE checks the condition again, so two claimers never take the same row. A
    claimer that dies leaves its rows to be taken again once the lease is over."""
    until = model.claimed_until
    free = and_(due, or_(until.is_(None), until < now))
    pick = select(model.id.label("id")).where(free).order_by(model.id).limit(batch)
    picked = pick.with_for_update(skip_locked=True).cte("picked").prefix_with("MATERIALIZED")
    return (
        update(model)
        .where(model.id.in_(select(picked.c.id)), free)
        .values(claimed_until=now + lease, attempts=model.attempts + 1, **values)
        .execution_options(synchronize_session=False)
    )
