"""The cohort's entries: a qualified case's ``Candidate`` stored and read back for the run."""

import datetime as dt
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.cohort.models import CohortEntry
from ruxue.cohort.records import Candidate, Priority
from ruxue.kit import pii


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


async def entry_of(session: AsyncSession, case_id: int) -> CohortEntry | None:
    return await session.get(CohortEntry, case_id)


async def drop_entry(session: AsyncSession, case_id: int) -> None:
    await session.execute(delete(CohortEntry).where(CohortEntry.case_id == case_id))
