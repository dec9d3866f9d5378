"""Adapters: the facts the cohort rules read beyond ``domain.md``'s, from their sources. The
departments' answers were kept on the case's facts during the channel's department fetch
(``cohort.gather``: residence permits, points, social insurance, the siblings' student statuses;
the hukou member's ``moved_in_on`` comes with the police's hukou answer); the bureau's own records
(seat history, the priority list) are read from ``reference.repository``. Each has a plain
signature; the decision calls them through this module (``sources.permits_of``), so tests may feed
them."""

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.cases.models import Case
from ruxue.cases.status import ENDED, Status
from ruxue.cohort.facts import kin, known_siblings, moved_in_on
from ruxue.cohort.records import Enrolled, Insurance, Kin, Permit, Priority, SeatUse, Segment
from ruxue.person.rules import IdNumberError, parse_id_number
from ruxue.policy.facts import Facts, read_facts
from ruxue.reference import repository as reference

USED_BY = ("A", "B")  # categories for which the chosen property counted


async def permits_of(session: AsyncSession, id_number: str, facts: Facts) -> tuple[Permit, ...]:
    """A parent's residence permits (police), as fetched with the family's facts."""
    return tuple(
        Permit(p.permit_no, p.district_code, p.compound_code, p.valid_from, p.valid_to)
        for p in facts.permits.get(id_number, [])
    )


async def insurance_of(
    session: AsyncSession, id_number: str, facts: Facts
) -> tuple[Insurance, ...]:
    """A parent's social insurance record (人社), as fetched with the family's facts."""
    paid = facts.insurance.get(id_number)
    return (Insurance(paid.city_code, paid.months_paid),) if paid else ()


async def points_of(session: AsyncSession, id_number: str, facts: Facts) -> float | None:
    """A parent's 流动人口积分 (department ``points``); None: no record."""
    found = facts.points.get(id_number)
    return found.points if found else None


async def moved_in_on_of(session: AsyncSession, facts: Facts) -> dt.date | None:
    """When the child moved into its booklet (the hukou member's ``moved_in_on``); None counts as
    always there."""
    return moved_in_on(facts)


async def priorities_of(session: AsyncSession, id_number: str) -> tuple[Priority, ...]:
    """The child's ``priority_children`` rows (the bureau's lists, every district's)."""
    rows = await reference.priorities_of(session, id_number)
    return tuple(Priority(r.group, r.district_code) for r in rows)


async def students_of(session: AsyncSession, facts: Facts) -> tuple[Enrolled, ...]:
    """Student statuses of the family's other children (with ``school_code``), as fetched; a
    sibling's parents are what the family's booklets show (``facts.known_siblings``)."""
    known = known_siblings(facts)
    return tuple(
        Enrolled(known.get(s.id_number, Kin(s.id_number)), born, s.status, s.school_code)
        for s in facts.sibling_status
        if (born := _born(s.id_number)) is not None
    )


def _born(id_number: str) -> dt.date | None:
    try:
        return parse_id_number(id_number).birth_date
    except IdNumberError:
        return None


async def seat_uses_of(
    session: AsyncSession, cert_no: str, segment: Segment, years: range, facts: Facts
) -> list[SeatUse]:
    """Seats the property gave in ``years`` (earlier years): the bureau's ``seat_history`` (imported
    and placed by this system) and this system's cases whose notice was issued on it (category A or
    B), each seat once. A seat-history row names only the child: its parents are known when the
    child is one of the family's own (``facts.known_siblings``), else not (the lock applies)."""
    query = select(Case).where(
        Case.chosen_cert == cert_no,
        Case.segment == segment,
        Case.year.in_(list(years)),
        Case.status == Status.NOTICE_ISSUED,
        Case.category.in_(USED_BY),
    )
    cases = list(await session.scalars(query))
    ours = {c.id for c in cases}
    known = known_siblings(facts)
    history = [
        SeatUse(r.cert_no, known.get(r.child_id_number, Kin(r.child_id_number)), r.year, segment)
        for r in await reference.seat_uses(session, cert_no, segment)
        if r.year in years and (r.case_id is None or r.case_id not in ours)
    ]
    return history + [_use(c, cert_no, segment) for c in cases]


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
