"""Issue 22: two counties reporting different stages of one new case number at the same moment.
The number gets one owner (a unique key on it), so exactly one of the two is accepted."""

import asyncio

from sqlalchemy import select, text

from ruxue.county import service
from ruxue.county.models import CaseOwner, Client, StageReport
from ruxue.county.schemas import StageIn
from ruxue.kit.db import Database
from ruxue.kit.errors import Forbidden
from tests.support.county import register, report

NUMBER = "XX-2026-000077"
WAITING = (
    "SELECT count(*) FROM pg_stat_activity"
    " WHERE datname = current_database() AND wait_event_type = 'Lock'"
)


async def _blocked_or(db: Database, done: asyncio.Event) -> None:
    """Until the second report has finished, or (PostgreSQL) waits on the first one's lock."""
    while not done.is_set():
        async with db.read_session() as session:
            if (await session.scalar(text(WAITING))) or 0:
                return
        await asyncio.sleep(0.01)


async def _report(
    db: Database, client_id: str, district: str, stage: str, wrote: asyncio.Event, go: asyncio.Event
) -> str:
    """One county's report in its own transaction, held open until ``go``."""
    incoming = StageIn.model_validate(report(NUMBER, stage, 1, district))
    try:
        async with db.write_session() as session:
            client = await session.get(Client, client_id)
            assert client is not None
            try:
                await service.receive(session, db, client, [incoming])
            finally:
                wrote.set()
            await go.wait()
    except Forbidden as refused:
        return refused.code
    return "accepted"


async def test_two_counties_racing_to_a_new_number_get_one_owner(db: Database) -> None:
    await register(db, "wuzhong", "320506")
    await register(db, "gusu", "320508")
    first_wrote, second_wrote, release = asyncio.Event(), asyncio.Event(), asyncio.Event()
    first = asyncio.create_task(_report(db, "wuzhong", "320506", "apply", first_wrote, release))
    await first_wrote.wait()
    if db.is_sqlite:
        release.set()  # one writer at a time: the second starts when the first has committed
    second = asyncio.create_task(_report(db, "gusu", "320508", "done", second_wrote, release))
    if not db.is_sqlite:
        await _blocked_or(db, second_wrote)  # both transactions open at the same moment
        release.set()
    answers = await asyncio.gather(first, second)
    assert answers == ["accepted", "foreign_case"]
    async with db.read_session() as session:
        reports = (await session.execute(select(StageReport.client_id, StageReport.stage))).all()
        owners = (await session.execute(select(CaseOwner.case_no, CaseOwner.client_id))).all()
    assert [tuple(r) for r in reports] == [("wuzhong", "apply")]
    assert [tuple(o) for o in owners] == [(NUMBER, "wuzhong")]
