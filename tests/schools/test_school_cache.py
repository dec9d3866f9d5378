"""The schools the rules rank are read once per process and database (peak day: twice per
application before), and read again after an import in this process or once a minute passed."""

import pytest
from sqlalchemy import event, update
from sqlalchemy.engine import Engine

from ruxue.dataset.service import load_dataset
from ruxue.kit.db import Database
from ruxue.reference import repository
from ruxue.reference.models import School
from ruxue.reference.repository import school_name, school_refs
from ruxue.schools.service import import_schools
from tests.support.dataset import EXAMPLE


async def _refs_reading(db: Database) -> tuple[list[str], int]:
    sent: list[str] = []

    def count(*args: object) -> None:
        sent.append(str(args[2]))

    event.listen(Engine, "before_cursor_execute", count)
    try:
        async with db.read_session() as session:
            names = [s.name for s in await school_refs(session)]
    finally:
        event.remove(Engine, "before_cursor_execute", count)
    return names, len([s for s in sent if "FROM school" in s])


async def test_schools_are_read_once_then_kept(db: Database, schools: None) -> None:
    first, reads = await _refs_reading(db)
    assert first and reads == 1
    again, reads = await _refs_reading(db)
    assert again == first and reads == 0
    async with db.read_session() as session:
        refs = await school_refs(session)
        assert await school_name(session, refs[0].code) == refs[0].name


async def test_an_import_or_a_minute_reads_them_again(
    db: Database, schools: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _refs_reading(db)
    async with db.write_session() as session:
        await import_schools(session, load_dataset(EXAMPLE))
    _, reads = await _refs_reading(db)
    assert reads == 1
    async with db.write_session() as session:  # a change another process made
        await session.execute(update(School).values(name="改名小学"))
    names, reads = await _refs_reading(db)
    assert reads == 0 and "改名小学" not in names
    monkeypatch.setattr(repository, "SCHOOLS_FRESH_S", 0.0)
    names, reads = await _refs_reading(db)
    assert reads == 1 and set(names) == {"改名小学"}
