"""The run published (``cohort.md``, "The run"), through the service and ``ruxue allocate``: a dry
run changes nothing; publishing issues every notice, queues every SMS, licence and archive
build, and is refused twice; a process killed halfway resumes; a late case is placed at once."""

import asyncio
import datetime as dt
from typing import Any

import pytest
from huey import Huey
from sqlalchemy import func, select, update
from typer.testing import CliRunner, Result

from ruxue.cases.models import Case, CaseEvent
from ruxue.cli.main import app
from ruxue.cohort import publication as service
from ruxue.cohort.models import CohortPlacement, CohortRun
from ruxue.cohort.publication import RunKey
from ruxue.elicence.models import Licence
from ruxue.kit.db import Database
from ruxue.kit.errors import Conflict
from ruxue.notify.models import Notification
from ruxue.reference.models import School as SchoolRow
from ruxue.staff.models import AuditEntry
from tests.support.cohort import (
    DISTRICT,
    NORTH,
    NOW,
    SOUTH,
    YEAR,
    candidate,
    four_children,
    qualified,
    qualify_all,
)

KEY = RunKey(DISTRICT, "primary", YEAR)
SEED = "5eed00c0ffee"
ALLOCATE = ["allocate", "--district", DISTRICT, "--segment", "primary", "--year", str(YEAR)]


async def cohort(db: Database) -> dict[str, str]:
    return await qualify_all(db, four_children())


async def states(db: Database) -> dict[str, tuple[str, str | None, str | None, list[str]]]:
    async with db.read_session() as session:
        cases = (await session.scalars(select(Case).order_by(Case.case_no))).all()
    return {c.case_no: (c.status, c.school_code, c.placement, c.reasons) for c in cases}


async def count(db: Database, model: Any) -> int:
    async with db.read_session() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def cli(*args: str, answer: str | None = None) -> Result:
    """``ruxue …`` as from a shell, in a thread (its own event loop and engine)."""
    return await asyncio.to_thread(CliRunner().invoke, app, list(args), input=answer)


def queued(huey: Huey) -> list[str]:
    return sorted(task.name.rsplit(".", 1)[-1] for task in huey.pending())


async def test_a_dry_run_prints_each_school_and_changes_nothing(
    db: Database, district: None, cli_env: None
) -> None:
    numbers = await cohort(db)
    before = (await states(db), await count(db, CaseEvent), await count(db, Notification))
    ran = await cli(*ALLOCATE, "--seed", SEED)
    assert ran.exit_code == 0, ran.output
    north = next(line for line in ran.stdout.splitlines() if NORTH.code in line)
    assert north.split("\t")[1:] == ["2", "0", "A类 2", "A类 2018-06-01", "0", "1", "1"]
    south = next(line for line in ran.stdout.splitlines() if SOUTH.code in line)
    assert south.split("\t")[1:] == ["1", "0", "B类 1", "无录取", "1", "0", "0"]
    assert "未作任何更改" in ran.output
    assert (await states(db), await count(db, CaseEvent), await count(db, Notification)) == before
    assert await count(db, CohortRun) == 0 and len(numbers) == 4


async def test_publishing_places_every_case_and_queues_its_notices_texts_licences_and_archive(
    db: Database, district: None, cli_env: None, test_queue: Huey
) -> None:
    numbers = await cohort(db)
    test_queue.flush()
    refused = await cli(*ALLOCATE, "--seed", SEED, "--publish", answer="n\n")
    assert refused.exit_code == 1 and await count(db, CohortRun) == 0  # asked, and said no
    ran = await cli(*ALLOCATE, "--seed", SEED, "--publish", "--yes")
    assert ran.exit_code == 0, ran.output
    found = await states(db)
    assert [found[numbers[f"case-{i:04d}"]] for i in (1, 2, 3, 4)] == [
        ("notice_issued", NORTH.code, "catchment", []),
        ("notice_issued", NORTH.code, "catchment", []),
        ("notice_issued", SOUTH.code, "overflow", []),
        ("manual_review", None, None, ["NO_SEAT"]),
    ]
    assert (
        await count(db, Notification) == 4 + 4
    )  # told when qualified, and told again where placed
    assert await count(db, Licence) == 3  # a licence per notice
    assert queued(test_queue) == ["build"] * 3 + ["deliver"] * 4 + ["register"] * 3
    async with db.read_session() as session:
        overflow = await session.scalar(select(Case).where(Case.case_no == numbers["case-0003"]))
        texts = list(await session.scalars(select(Notification.text)))
    assert overflow is not None and "统筹" in overflow.explanation
    assert "A类 2018-06-01" in overflow.explanation  # the line it missed
    assert sum("另行安排学位" in t for t in texts) == 1  # the NO_SEAT family's own text
    async with db.read_session() as session:
        audited = list(await session.scalars(select(AuditEntry.action)))
    assert audited.count("cohort_published") == 1


async def test_publishing_twice_is_refused_and_running_again_changes_nothing(
    db: Database, district: None, cli_env: None
) -> None:
    await cohort(db)
    assert (await cli(*ALLOCATE, "--seed", SEED, "--publish", "--yes")).exit_code == 0
    after = (await states(db), await count(db, CaseEvent), await count(db, Notification))
    again = await cli(*ALLOCATE, "--seed", SEED, "--publish", "--yes")
    assert again.exit_code == 1 and "已经发布，不能再次发布" in again.output
    other = await cli(*ALLOCATE, "--seed", "abcdef0123", "--publish", "--yes")
    assert other.exit_code == 1 and "已经发布" in other.output
    assert (await cli(*ALLOCATE, "--seed", SEED)).exit_code == 0  # a dry run after it
    assert (await states(db), await count(db, CaseEvent), await count(db, Notification)) == after


class Killed(Exception):
    pass


async def test_a_publication_killed_halfway_resumes_and_places_every_case_once(
    db: Database, district: None
) -> None:
    await cohort(db)

    def die_after_two(done: int, total: int) -> None:
        if done == 2:
            raise Killed

    with pytest.raises(Killed):
        await service.publish(db, KEY, SEED, "cli:test", NOW, die_after_two)
    half = await states(db)
    assert sorted(s[0] for s in half.values()) == [
        "notice_issued",
        "notice_issued",
        "qualified",
        "qualified",
    ]
    async with db.read_session() as session:  # a dry run meanwhile: the stored seats are taken
        meanwhile = await service.dry_run(session, KEY, SEED)
    assert meanwhile.candidates == 0 and meanwhile.reports[0].taken_before == 2
    with pytest.raises(Conflict, match="同一随机种子"):
        await service.publish(db, KEY, "abcdef0123", "cli:test", NOW, lambda d, t: None)
    seen: list[tuple[int, int]] = []
    await service.publish(db, KEY, SEED, "cli:test", NOW, lambda d, t: seen.append((d, t)))
    assert seen == [(2, 4), (3, 4), (4, 4)]
    done = await states(db)
    assert sorted(s[0] for s in done.values()) == ["manual_review", *["notice_issued"] * 3]
    assert await count(db, Notification) == 4 + 4 and await count(db, Licence) == 3  # once each
    async with db.read_session() as session:
        events = list(
            await session.scalars(select(CaseEvent.action).where(CaseEvent.action == "place"))
        )
    assert len(events) == 4


async def test_a_late_case_is_placed_at_once_with_the_seats_left(
    db: Database, district: None
) -> None:
    await cohort(db)
    async with db.write_session() as session:
        early = await qualified(session, candidate(5, "A", registered_on=dt.date(2017, 1, 1)))
        assert await service.place_if_published(session, early, NOW) is None  # no run yet
    await service.publish(db, KEY, SEED, "cli:test", NOW, lambda d, t: None)
    async with db.write_session() as session:  # 平江 and 沧浪 are full: no seat, however early
        late = await qualified(session, candidate(6, "A", registered_on=dt.date(2016, 1, 1)))
        seat = await service.place_if_published(session, late, NOW)
        assert seat is not None and seat.reason == "NO_SEAT"
        assert (late.status, late.reasons) == ("manual_review", ["NO_SEAT"])
    async with db.write_session() as session:  # a seat freed at 平江 goes to the next late case
        await session.execute(
            update(SchoolRow).where(SchoolRow.code == NORTH.code).values(capacity=3)
        )
        next_one = await qualified(session, candidate(7, "C"))
        seat = await service.place_if_published(session, next_one, NOW)
        assert seat is not None and (seat.school_code, seat.placement) == (NORTH.code, "catchment")
        assert next_one.status == "notice_issued" and next_one.notice_no
    async with db.read_session() as session:
        late_rows = await session.scalar(select(func.count()).where(CohortPlacement.late.is_(True)))
    assert late_rows == 2


async def test_a_publication_in_batches_places_each_case_once(db: Database, district: None) -> None:
    await cohort(db)
    seen: list[tuple[int, int]] = []
    await service.publish(db, KEY, SEED, "cli:test", NOW, lambda d, t: seen.append((d, t)), 3)
    assert seen == [(0, 4), (3, 4), (4, 4)]
    done = await states(db)
    assert sorted(s[0] for s in done.values()) == ["manual_review", *["notice_issued"] * 3]
    assert await count(db, Notification) == 4 + 4 and await count(db, Licence) == 3
