"""SQLite writers of a process take turns; a write session nested in another is refused at once."""

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import text

from ruxue.kit.db import Database


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
