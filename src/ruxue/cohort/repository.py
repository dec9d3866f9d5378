"""The cohort's entries: a qualified case's ``Candidate`` stored and read back for the run."""

import datetime as dt
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.cases.models import Case
from ruxue.cases.status import Status
from ruxue.cohort.models import PUBLISHED, CohortEntry, CohortLine, CohortPlacement, CohortRun
from ruxue.cohort.records import Candidate, Priority
from ruxue.kit import pii
from ruxue.reference.models import School as SchoolRow


def candidate_json(candidate: Candidate) -> dict[str, Any]:
    """A candidate as JSON; the child's ID number only encrypted (the lottery needs it back)."""
    return {
        "id_number_enc": pii.encrypt(candidate.id_number),
        "category": candidate.category,
        "school_code": candidate.school_code,
        "priorities": [[p.group, p.district_code] for p in candidate.priorities],
        "sibling_schools": sorted(candidate.sibling_schools),
        "registered_on": _iso(candidate.registered_on),
        "moved_in_on": _iso(candidate.moved_in_on),
        "points": candidate.points,
        "permit_from": _iso(candidate.permit_from),
    }


def candidate_of(case_id: str, data: dict[str, Any]) -> Candidate:
    return Candidate(
        case_id=case_id,
        id_number=pii.decrypt(data["id_number_enc"]),
        category=data["category"],
        school_code=data["school_code"],
        priorities=tuple(Priority(group, district) for group, district in data["priorities"]),
        sibling_schools=frozenset(data["sibling_schools"]),
        registered_on=_date(data["registered_on"]),
        moved_in_on=_date(data["moved_in_on"]),
        points=float(data["points"]),
        permit_from=_date(data["permit_from"]),
    )


async def save_entry(
    session: AsyncSession,
    case_id: int,
    district_code: str,
    segment: str,
    year: int,
    candidate: Candidate,
    now: dt.datetime,
) -> CohortEntry:
    """The qualified case's entry, replaced when the case is qualified again."""
    entry = await session.get(CohortEntry, case_id) or CohortEntry(case_id=case_id)
    entry.district_code, entry.segment, entry.year = district_code, segment, year
    entry.category, entry.school_code = candidate.category, candidate.school_code
    entry.candidate, entry.qualified_at = candidate_json(candidate), now
    session.add(entry)
    return entry


async def entry_of(session: AsyncSession, case_id: int) -> CohortEntry | None:
    return await session.get(CohortEntry, case_id)


async def entries_of(
    session: AsyncSession, district_code: str, segment: str, year: int
) -> list[CohortEntry]:
    rows = await session.scalars(
        select(CohortEntry)
        .where(
            CohortEntry.district_code == district_code,
            CohortEntry.segment == segment,
            CohortEntry.year == year,
        )
        .order_by(CohortEntry.case_id)
    )
    return list(rows)


def _iso(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


def _date(value: str | None) -> dt.date | None:
    return None if value is None else dt.date.fromisoformat(value)


async def drop_entry(session: AsyncSession, case_id: int) -> None:
    await session.execute(delete(CohortEntry).where(CohortEntry.case_id == case_id))


async def qualified_entries(
    session: AsyncSession, district_code: str, segment: str, year: int
) -> list[tuple[int, dict[str, Any]]]:
    """(case id, candidate JSON) of the cases still waiting for a seat (status ``qualified``)
    and not yet given one by a stored run (a publication under way counts its seats as taken);
    columns, not entities: a district's whole cohort is read at once."""
    rows = await session.execute(
        select(CohortEntry.case_id, CohortEntry.candidate)
        .join(Case, Case.id == CohortEntry.case_id)
        .outerjoin(CohortPlacement, CohortPlacement.case_id == CohortEntry.case_id)
        .where(
            CohortEntry.district_code == district_code,
            CohortEntry.segment == segment,
            CohortEntry.year == year,
            Case.status == Status.QUALIFIED,
            CohortPlacement.case_id.is_(None),
        )
        .order_by(CohortEntry.case_id)
    )
    return [(int(case_id), data) for case_id, data in rows]


async def school_rows(session: AsyncSession, district_code: str, segment: str) -> list[SchoolRow]:
    query = select(SchoolRow).where(
        SchoolRow.district_code == district_code, SchoolRow.segment == segment
    )
    return list(await session.scalars(query.order_by(SchoolRow.code)))


async def seats_taken(
    session: AsyncSession, district_code: str, segment: str, year: int
) -> dict[str, int]:
    """Seats placed this year per school of the district: notices held now (a revoked one is
    not), and a run's placements stored but not yet carried out."""
    held = (
        select(Case.school_code, func.count())
        .join(SchoolRow, SchoolRow.code == Case.school_code)
        .where(
            SchoolRow.district_code == district_code,
            Case.segment == segment,
            Case.year == year,
            Case.status == Status.NOTICE_ISSUED,
        )
        .group_by(Case.school_code)
    )
    pending = (
        select(CohortPlacement.school_code, func.count())
        .join(CohortRun, CohortRun.id == CohortPlacement.run_id)
        .where(
            CohortRun.district_code == district_code,
            CohortRun.segment == segment,
            CohortRun.year == year,
            CohortPlacement.placed_at.is_(None),
            CohortPlacement.school_code.is_not(None),
        )
        .group_by(CohortPlacement.school_code)
    )
    taken: dict[str, int] = {}
    for query in (held, pending):
        for code, n in await session.execute(query):
            taken[str(code)] = taken.get(str(code), 0) + int(n)
    return taken


async def run_of(
    session: AsyncSession, district_code: str, segment: str, year: int
) -> CohortRun | None:
    query = select(CohortRun).where(
        CohortRun.district_code == district_code,
        CohortRun.segment == segment,
        CohortRun.year == year,
    )
    return await session.scalar(query)


async def lines_of(session: AsyncSession, run_id: int) -> list[CohortLine]:
    query = select(CohortLine).where(CohortLine.run_id == run_id)
    return list(await session.scalars(query.order_by(CohortLine.school_code)))


async def pending_placements(session: AsyncSession, run_id: int) -> list[int]:
    query = select(CohortPlacement.case_id).where(
        CohortPlacement.run_id == run_id, CohortPlacement.placed_at.is_(None)
    )
    return list(await session.scalars(query.order_by(CohortPlacement.case_id)))


async def placement_count(session: AsyncSession, run_id: int) -> int:
    query = select(func.count()).where(CohortPlacement.run_id == run_id)
    return int(await session.scalar(query) or 0)


async def published_runs(session: AsyncSession) -> list[CohortRun]:
    query = select(CohortRun).where(CohortRun.status == PUBLISHED)
    order = (CohortRun.year.desc(), CohortRun.district_code, CohortRun.segment)
    return list(await session.scalars(query.order_by(*order)))
