"""``ruxue schools import`` loads the bureau's own parts of a version-2 file (统筹 lists, seats
given, priority list) into tables, encrypted where they name a person, and the reads the cohort
run uses find them back; importing again replaces the bureau's rows and keeps placed seats."""

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, func, select, text
from typer.testing import CliRunner

from ruxue.cli.main import app
from ruxue.dataset.service import load_dataset, parse_dataset
from ruxue.kit.db import Database
from ruxue.reference.models import PriorityChild, School, SeatHistory
from ruxue.reference.repository import (
    add_placed_seat,
    overflow_of,
    overflows,
    priorities_of,
    remove_placed_seat,
    seat_uses,
)
from ruxue.reference.seats import PriorityRecord, SeatRecord
from ruxue.schools.service import import_schools
from tests.support.dataset import EXAMPLE, NEW_CITIZENS, example_v2

CERT = "苏(2020)苏州市不动产权第0000001号"
EARLIER_CHILD = "320508201610150211"


async def _import(db: Database, data: dict[str, Any]) -> dict[str, int]:
    async with db.write_session() as session:
        return await import_schools(session, parse_dataset(json.dumps(data).encode()))


@pytest.fixture
async def bureau(db: Database) -> AsyncIterator[dict[str, int]]:
    """The version-2 example imported; the version-1 example's schools and no bureau rows after."""
    yield await _import(db, example_v2())
    async with db.write_session() as session:
        await session.execute(delete(SeatHistory))
        await session.execute(delete(PriorityChild))
        await import_schools(session, load_dataset(EXAMPLE))


async def test_overflow_lists_are_read_per_school(db: Database, bureau: dict[str, int]) -> None:
    async with db.read_session() as session:
        assert await overflow_of(session, "3205080101") == ["3205080102"]
        assert await overflow_of(session, "3205060101") == []
        assert await overflow_of(session, "9999999999") == []
        assert await overflows(session, "320508", "primary") == {
            "3205080101": ["3205080102"],
            "3205080102": ["3205080101"],
        }


async def test_seat_uses_of_a_property(db: Database, bureau: dict[str, int]) -> None:
    assert bureau["seat_history"] == 2 and bureau["priority_children"] == 2
    async with db.read_session() as session:
        uses = await seat_uses(session, CERT, "primary")
        assert uses == [SeatRecord(CERT, EARLIER_CHILD, 2022, "primary", "3205080101")]
        assert await seat_uses(session, CERT, "junior") == []


async def test_priorities_of_a_child(db: Database, bureau: dict[str, int]) -> None:
    async with db.read_session() as session:
        assert await priorities_of(session, NEW_CITIZENS[2]) == [PriorityRecord("talent", "320508")]
        assert await priorities_of(session, "320508201910150213") == []


async def test_id_and_certificate_numbers_are_encrypted_at_rest(
    db: Database, bureau: dict[str, int]
) -> None:
    async with db.read_session() as session:
        seats = (await session.execute(text("SELECT * FROM seat_history"))).all()
        children = (await session.execute(text("SELECT * FROM priority_child"))).all()
    stored = repr(seats) + repr(children)
    assert seats and children
    for clear in (CERT, EARLIER_CHILD, NEW_CITIZENS[2], "320508202002020311"):
        assert clear not in stored


async def test_import_again_replaces_the_bureau_rows_and_keeps_placed_seats(
    db: Database, bureau: dict[str, int]
) -> None:
    placed = SeatRecord(CERT, "320508201910150213", 2026, "primary", "3205080101", case_id=77)
    async with db.write_session() as session:
        await add_placed_seat(session, placed)
    again = await _import(db, example_v2())
    assert again == bureau
    async with db.read_session() as session:
        assert len(await seat_uses(session, CERT, "primary")) == 2  # one imported, one placed
        assert await session.scalar(select(func.count()).select_from(PriorityChild)) == 2
    fewer = example_v2()
    fewer["seat_history"] = fewer["seat_history"][1:]
    fewer["priority_children"] = []
    await _import(db, fewer)
    async with db.write_session() as session:
        assert await seat_uses(session, CERT, "primary") == [placed]
        assert await priorities_of(session, NEW_CITIZENS[2]) == []
        await remove_placed_seat(session, 77)
        assert await seat_uses(session, CERT, "primary") == []


async def test_version_1_import_keeps_no_overflow(db: Database, bureau: dict[str, int]) -> None:
    async with db.write_session() as session:
        counts = await import_schools(session, load_dataset(EXAMPLE))
        assert "seat_history" not in counts
        school = await session.get(School, "3205080101")
        assert school is not None and school.overflow_to == []


@pytest.mark.usefixtures("cli_env", "bureau")
async def test_a_bad_file_is_refused_by_name_and_nothing_is_written(
    db: Database, tmp_path: Path
) -> None:
    data = example_v2()
    data["schools"][0]["overflow_to"] = ["3205060101"]
    data["priority_children"][0]["child_id_number"] = "110101201601010019"
    data["schools"][0]["capacity"] = 1
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data, ensure_ascii=False))
    result = CliRunner().invoke(app, ["schools", "import", str(bad)])
    assert result.exit_code == 1
    assert "schools[0].overflow_to[0]: not a school of the same district and segment" in (
        result.output
    )
    assert "priority_children[0].child_id_number: no such person" in result.output
    async with db.read_session() as session:
        school = await session.get(School, "3205080101")
        assert school is not None and school.capacity == 360
