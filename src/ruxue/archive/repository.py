"""Queries of the archive library. ``visible_packages`` is the one place that narrows it by role."""

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import Select, false, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.archive.models import ArchivePackage, CheckRun, FilingFailure
from ruxue.cases.models import Case
from ruxue.cases.status import FINAL
from ruxue.staff.auth import Staff
from ruxue.staff.models import AuditEntry

CONSULT = "archive_consult"


def visible_packages(staff: Staff) -> Select[ArchivePackage]:
    """A desk sees its school's packages, a reviewer its district's, the archivist all."""
    query = select(ArchivePackage)
    if staff.role in ("archivist", "admin"):
        return query
    if staff.role == "reviewer":
        return query.where(ArchivePackage.district_code == staff.district_code)
    if staff.role == "desk":
        return query.where(ArchivePackage.school_code == staff.school_code)
    return query.where(false())


async def visible_package(
    session: AsyncSession, staff: Staff, number: str
) -> ArchivePackage | None:
    query = visible_packages(staff).where(ArchivePackage.archive_no == number)
    return (await session.scalars(query)).one_or_none()


async def catalogue(
    session: AsyncSession, staff: Staff, search: str = "", limit: int = 50
) -> Sequence[tuple[ArchivePackage, Case]]:
    """The newest packages the staff member may consult, with their case, optionally by number."""
    query = (
        visible_packages(staff)
        .add_columns(Case)
        .join(Case, Case.id == ArchivePackage.case_id)
        .order_by(ArchivePackage.id.desc())
        .limit(limit)
    )
    if search.strip():
        term = search.strip()
        query = query.where(or_(ArchivePackage.archive_no == term, Case.case_no == term))
    return [(p, c) for p, c in (await session.execute(query)).all()]


async def check_runs(session: AsyncSession, number: str) -> Sequence[CheckRun]:
    query = select(CheckRun).where(CheckRun.archive_no == number).order_by(CheckRun.at, CheckRun.id)
    return (await session.scalars(query)).all()


async def consultations(session: AsyncSession, limit: int = 500) -> Sequence[AuditEntry]:
    query = select(AuditEntry).where(AuditEntry.action == CONSULT)
    return (
        await session.scalars(
            query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)
        )
    ).all()


async def supersede(session: AsyncSession, case: Case, now: dt.datetime) -> None:
    """The case's current package no longer holds its decision (a revoked notice)."""
    query = select(ArchivePackage).where(
        ArchivePackage.case_id == case.id, ArchivePackage.superseded_at.is_(None)
    )
    for package in await session.scalars(query):
        package.superseded_at = now


async def filings_of(session: AsyncSession, case_id: int) -> int:
    """How many superseded packages the case has: the next package's sequence."""
    query = select(func.count(ArchivePackage.id)).where(
        ArchivePackage.case_id == case_id, ArchivePackage.superseded_at.is_not(None)
    )
    return int(await session.scalar(query) or 0)


async def unarchived(
    session: AsyncSession, decided_before: dt.datetime, max_attempts: int, limit: int = 200
) -> Sequence[str]:
    """Case numbers decided for good before the given time that still have no package: their job
    was lost (a worker killed after taking it, a queue that was down). A case whose filing failed
    ``max_attempts`` times is left to the archivist."""
    query = (
        select(Case.case_no)
        .outerjoin(
            ArchivePackage,
            (ArchivePackage.case_id == Case.id) & ArchivePackage.superseded_at.is_(None),
        )
        .outerjoin(FilingFailure, FilingFailure.case_id == Case.id)
        .where(
            Case.outcome.in_(FINAL), ArchivePackage.id.is_(None), Case.updated_at < decided_before
        )
        .where(or_(FilingFailure.id.is_(None), FilingFailure.attempts < max_attempts))
        .order_by(Case.id)
        .limit(limit)
    )
    return (await session.scalars(query)).all()


async def filing_failures(session: AsyncSession, limit: int = 100) -> Sequence[FilingFailure]:
    """Cases whose package could not be filed, newest attempt first."""
    query = select(FilingFailure).order_by(FilingFailure.last_at.desc(), FilingFailure.id.desc())
    return (await session.scalars(query.limit(limit))).all()


def _latest_runs() -> Select[int]:
    return select(func.max(CheckRun.id)).group_by(CheckRun.archive_no)


async def latest_checks(session: AsyncSession, numbers: list[str]) -> dict[str, CheckRun]:
    """The newest check run of each of the given packages."""
    query = select(CheckRun).where(
        CheckRun.id.in_(_latest_runs()), CheckRun.archive_no.in_(numbers)
    )
    return {r.archive_no: r for r in (await session.scalars(query)).all()}


async def failed_checks(session: AsyncSession, limit: int = 50) -> Sequence[CheckRun]:
    """Stored packages whose newest 四性检测 run (any stage) failed, for the archivist to act on.
    A later passing run clears the alert; an earlier failure does not hide a later one."""
    query = (
        select(CheckRun)
        .join(ArchivePackage, ArchivePackage.archive_no == CheckRun.archive_no)
        .where(CheckRun.id.in_(_latest_runs()), CheckRun.passed.is_(False))
        .order_by(CheckRun.at.desc(), CheckRun.id.desc())
        .limit(limit)
    )
    return (await session.scalars(query)).all()
