"""On SQLite a statement is one call to aiosqlite's thread, and a read sends no ROLLBACK
(kit/sqlite.py); what SQLAlchemy gives back is unchanged."""

from collections.abc import AsyncIterator
from pathlib import Path

import aiosqlite
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from ruxue.kit.db import Database


class Calls:
    """Every call a connection sends to its thread, by the name of what it runs."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.names: list[str] = []
        execute = aiosqlite.Connection._execute

        async def noting(connection: aiosqlite.Connection, fn: object, *args: object) -> object:
            self.names.append(getattr(fn, "__name__", repr(fn)))
            return await execute(connection, fn, *args)  # type: ignore[arg-type]

        monkeypatch.setattr(aiosqlite.Connection, "_execute", noting)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'calls.db'}")
    async with database.write_session() as session:
        await session.execute(text("CREATE TABLE t (n INTEGER PRIMARY KEY, v TEXT UNIQUE)"))
    yield database
    await database.dispose()


async def test_a_statement_is_one_call_and_answers_as_before(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = Calls(monkeypatch)
    async with db.write_session() as session:
        inserted = await session.execute(text("INSERT INTO t (v) VALUES ('a')"))
        assert (inserted.lastrowid, inserted.rowcount) == (1, 1)
        many = await session.execute(
            text("INSERT INTO t (v) VALUES (:v)"), [{"v": "b"}, {"v": "c"}]
        )
        assert many.rowcount == 2
        updated = await session.execute(text("UPDATE t SET v = v || '!' WHERE n > 1"))
        assert updated.rowcount == 2
    assert calls.names == ["_run", "_run", "_run", "commit"]

    calls.names.clear()
    async with db.read_session() as session:
        rows = (await session.execute(text("SELECT n, v FROM t ORDER BY n"))).all()
        assert [tuple(r) for r in rows] == [(1, "a"), (2, "b!"), (3, "c!")]
        assert (await session.execute(text("SELECT v FROM t WHERE n = 9"))).first() is None
    assert await db.read_row(text("SELECT count(*) AS n FROM t"), {}) == (3,)
    assert calls.names == ["_run", "_run", "_run"]  # and no ROLLBACK: the reads opened nothing


async def test_an_error_is_the_driver_s_and_a_failed_write_is_rolled_back(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = Calls(monkeypatch)
    with pytest.raises(IntegrityError, match="UNIQUE"):
        async with db.write_session() as session:
            await session.execute(text("INSERT INTO t (v) VALUES ('a')"))
            await session.execute(text("INSERT INTO t (v) VALUES ('a')"))
    assert calls.names == ["_run", "_run", "rollback"]
    assert await db.read_row(text("SELECT count(*) AS n FROM t"), {}) == (0,)
