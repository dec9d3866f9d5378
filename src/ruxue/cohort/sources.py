"""Adapters: the facts the cohort rules need that no department gives yet (dataset version 2:
residence permits, points, ``moved_in_on``, the bureau's seat history and priority list, the
siblings' student statuses). Each has a plain signature and reads what exists today (the gathered
facts, this system's cases); point each at its new source when it lands. The decision calls them
through this module (``sources.permits_of``), so tests may feed them."""

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.cases.models import Case
from ruxue.cases.status import ENDED, Status
from ruxue.cohort.facts import kin
from ruxue.cohort.records import Enrolled, Insurance, Permit, Priority, SeatUse, Segment
from ruxue.policy.facts import Facts, read_facts

USED_BY = ("A", "B")  # categories for which the chosen property counted


async def permits_of(session: AsyncSession, id_number: str, facts: Facts) -> tuple[Permit, ...]:
    """A parent's residence permits (police, dataset v2). Today: none."""
    return ()


async def insurance_of(
    session: AsyncSession, id_number: str, facts: Facts
) -> tuple[Insurance, ...]:
    """A parent's social insurance records (人社). Today: none gathered."""
    return ()


async def points_of(session: AsyncSession, id_number: str, facts: Facts) -> float | None:
    """A parent's 流动人口积分 (department ``points``, dataset v2). Today: no record."""
    return None


async def moved_in_on_of(session: AsyncSession, facts: Facts) -> dt.date | None:
    """When the child moved into its booklet (hukou ``moved_in_on``, dataset v2). Today: not known,
    which counts as always there."""
    return None


async def priorities_of(session: AsyncSession, id_number: str) -> tuple[Priority, ...]:
    """The child's ``priority_children`` rows (the bureau's list). Today: none."""
    return ()


async def students_of(session: AsyncSession, facts: Facts) -> tuple[Enrolled, ...]:
    """Student statuses of possible elder siblings (with ``school_code``, dataset v2). Today:
    none."""
    return ()


async def seat_uses_of(
    session: AsyncSession, cert_no: str, segment: Segment, years: range
) -> list[SeatUse]:
    """Seats the property gave in ``years`` (earlier years): today this system's cases whose notice
    was issued on it (category A or B); the bureau's ``seat_history`` joins them."""
    query = select(Case).where(
        Case.chosen_cert == cert_no,
        Case.segment == segment,
        Case.year.in_(list(years)),
        Case.status == Status.NOTICE_ISSUED,
        Case.category.in_(USED_BY),
    )
    return [_use(c, cert_no, segment) for c in await session.scalars(query)]


async def uses_this_year(
    session: AsyncSession, case: Case, cert_no: str, segment: Segment
) -> list[SeatUse]:
    """Other cases of this year that already use the property: chosen, and counted for them (A or
    B), not withdrawn or rejected."""
    query = select(Case).where(
        Case.chosen_cert == cert_no,
        Case.segment == segment,
        Case.year == case.year,
        Case.status.not_in(ENDED),
        Case.category.in_(USED_BY),
    )
    if case.id is not None:
        query = query.where(Case.id != case.id)
    return [_use(c, cert_no, segment) for c in await session.scalars(query)]


def _use(case: Case, cert_no: str, segment: Segment) -> SeatUse:
    return SeatUse(cert_no, kin(read_facts(case).child), case.year, segment)
