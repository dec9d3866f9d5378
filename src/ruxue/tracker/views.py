"""What the data tracker shows beside the calls: which of their case numbers never became a case
here (the child's district applies at its county system, so the city stopped after the police's
answer), and the family's cases that a county system runs, as the county reports them."""

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.cases.models import Case
from ruxue.county.repository import ReportedCase, reported_cases
from ruxue.exchange.schemas import TrackedCall
from ruxue.identity.service import Guardian


@dataclass(frozen=True)
class Tracker:
    calls: Sequence[TrackedCall]
    not_made: frozenset[str]  # case numbers of calls made before an application was refused here
    county_cases: Sequence[ReportedCase]


async def tracker_of(
    session: AsyncSession, guardian: Guardian, calls: Sequence[TrackedCall]
) -> Tracker:
    numbers = {c.case_no for c in calls if c.case_no}
    made = (
        set(await session.scalars(select(Case.case_no).where(Case.case_no.in_(numbers))))
        if numbers
        else set()
    )
    county = await reported_cases(session, applicant=guardian.id_number)
    return Tracker(calls, frozenset(numbers - made), county)
