"""SQLite writers of a process take turns; a write session nested in another is refused at once.
Which errors say the database cannot serve now (answered 503, not 500)."""

import asyncio
import sqlite3
from pathlib import Path

import pytest
from asyncpg.exceptions import CannotConnectNowError, TooManyConnectionsError, UndefinedTableError
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from ruxue.kit.db import Database, database_unavailable


async def test_writers_take_turns_and_a_nested_writer_is_refused(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'turns.db'}")
    async with db.write_session() as session:
        await session.execute(text("CREATE TABLE t (n INTEGER)"))
    order: list[str] = []

    async def writer(name: str) -> None:
        async with db.write_session() as session:
            order.append(f"{name} in")
            await session.execute(text("INSERT INTO t VALUES (1)"))
            await asyncio.sleep(0)  # let the other writer try to get in
            order.append(f"{name} out")

    await asyncio.gather(writer("a"), writer("b"))
    assert order == ["a in", "a out", "b in", "b out"]  # one at a time, in order

    async with db.write_session():
        with pytest.raises(RuntimeError, match="wait for itself"):
            async with db.write_session():
                pass
    async with db.read_session() as session:
        assert (await session.execute(text("SELECT count(*) FROM t"))).scalar_one() == 2
    await db.dispose()


def _raised_from(error: BaseException, cause: BaseException) -> BaseException:
    try:
        raise error from cause
    except BaseException as raised:
        return raised


@pytest.mark.parametrize(
    ("error", "unavailable"),
    [
        (ConnectionRefusedError(111, "Connect call failed"), True),  # asyncpg's connect, bare
        (OperationalError("SELECT 1", {}, Exception("database is locked")), True),
        (PoolTimeout("QueuePool limit of size 20 overflow 10 reached"), True),
        (DBAPIError("SELECT 1", {}, CannotConnectNowError("starting up")), True),  # 57P03
        (DBAPIError("SELECT 1", {}, TooManyConnectionsError("too many")), True),  # 53300
        (_raised_from(RuntimeError("response started"), ConnectionResetError()), True),
        (DBAPIError("SELECT 1", {}, UndefinedTableError("no table")), False),  # 42P01: our bug
        (IntegrityError("INSERT", {}, Exception("unique")), False),
        (OperationalError("SELECT", {}, sqlite3.OperationalError("database is locked")), True),
        (OperationalError("SELECT", {}, sqlite3.OperationalError("no such table: x")), False),
        (ValueError("bad input"), False),
    ],
)
def test_which_errors_say_the_database_cannot_serve_now(
    error: BaseException, unavailable: bool
) -> None:
    if isinstance(error, DBAPIError) and error.__cause__ is None:
        error.__cause__ = error.orig  # as SQLAlchemy raises it: from the driver's error
    assert database_unavailable(error) is unavailable


async def _backend_pid(db: Database) -> int:
    async with db.read_session() as session:
        return int((await session.execute(text("SELECT pg_backend_pid()"))).scalar_one())


async def test_an_idle_connection_the_database_dropped_is_replaced(database_url: str) -> None:
    """PostgreSQL ends a pooled connection while it is idle (a restart, a proxy's timeout): the
    next checkout pings it, finds it gone and opens a fresh one — without a ping on every
    checkout. With the ping put off for an hour the same checkout fails."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has no server to drop a connection")
    admin = Database(database_url)
    for ping_after, replaced in ((0.0, True), (3600.0, False)):
        db = Database(database_url, pool_size=1, ping_after_idle_s=ping_after)
        first = await _backend_pid(db)  # checked in: idle from now
        async with admin.read_session() as session:
            await session.execute(text(f"SELECT pg_terminate_backend({first})"))
        if replaced:
            assert await _backend_pid(db) != first
        else:
            with pytest.raises(DBAPIError):
                await _backend_pid(db)
        await db.dispose()
    await admin.dispose()
