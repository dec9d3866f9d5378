"""The counts the operators' gauges show, read from the database at scrape time (cached between
scrapes by ``collector.py``), one grouped query each."""

from dataclasses import dataclass, field

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.archive.failures import MAX_ATTEMPTS
from ruxue.archive.models import ArchivePackage, FilingFailure
from ruxue.cases.models import Case
from ruxue.cases.status import FINAL
from ruxue.county.models import OutboxRow
from ruxue.notify.models import Notification


@dataclass
class Counts:
    cases: dict[str, int] = field(default_factory=dict)  # by status
    archive: dict[str, int] = field(default_factory=dict)  # waiting, failing, given_up, filed
    county_outbox: dict[str, int] = field(default_factory=dict)  # unsent, dead
    sms: dict[str, int] = field(default_factory=dict)  # by status: pending, sent, failed


async def _grouped(session: AsyncSession, column: object) -> dict[str, int]:
    rows = await session.execute(select(column, func.count()).group_by(column))  # type: ignore[call-overload]
    return {str(key): int(count) for key, count in rows.all()}


async def _archive(session: AsyncSession) -> dict[str, int]:
    current = (ArchivePackage.case_id == Case.id) & ArchivePackage.superseded_at.is_(None)
    waiting = await session.scalar(
        select(func.count(Case.id))
        .outerjoin(ArchivePackage, current)
        .where(Case.outcome.in_(FINAL), ArchivePackage.id.is_(None))
    )
    gave_up = FilingFailure.attempts >= MAX_ATTEMPTS
    failures = await session.execute(
        select(func.count().filter(~gave_up), func.count().filter(gave_up)).select_from(
            FilingFailure
        )
    )
    failing, given_up = failures.one()
    filed = await session.scalar(
        select(func.count(ArchivePackage.id)).where(ArchivePackage.superseded_at.is_(None))
    )
    return {
        "waiting": int(waiting or 0),
        "failing": int(failing or 0),
        "given_up": int(given_up or 0),
        "filed": int(filed or 0),
    }


async def _outbox(session: AsyncSession) -> dict[str, int]:
    state = case(
        (OutboxRow.dead_at.is_not(None), "dead"),
        (OutboxRow.sent_at.is_(None), "unsent"),
        else_="sent",
    )
    found = await _grouped(session, state)
    return {"unsent": found.get("unsent", 0), "dead": found.get("dead", 0)}


async def counts(session: AsyncSession) -> Counts:
    return Counts(
        cases=await _grouped(session, Case.status),
        archive=await _archive(session),
        county_outbox=await _outbox(session),
        sms=await _grouped(session, Notification.status),
    )
