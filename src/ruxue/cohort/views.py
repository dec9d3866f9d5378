"""What a family is shown of its qualified case: its own rank key and when the results are
published (``cohort.md``: "A family sees its category, its rank key (not other families')")."""

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.cases.models import Case
from ruxue.cases.status import Status
from ruxue.cohort import policy_in_force
from ruxue.cohort.rank import own_rank_text
from ruxue.cohort.repository import candidate_of, entry_of


@dataclass(frozen=True)
class Standing:
    rank: str | None  # the family's own rank key in words, e.g. "B类 2019-05-01"
    publish_on: dt.date | None  # None: the district has not said yet

    @property
    def publish_text(self) -> str:
        day = self.publish_on
        return f"{day.year}年{day.month}月{day.day}日" if day else "另行通知"


async def standing_of(session: AsyncSession, case: Case) -> Standing | None:
    """A qualified case's standing before publication; None for any other case."""
    if case.status != Status.QUALIFIED:
        return None
    district = case.district_code or ""
    policy = await policy_in_force.cohort_policy_of(session, district, case.year)
    entry = await entry_of(session, case.id)
    rank = None
    if entry is not None:
        candidate = candidate_of(str(case.id), entry.candidate)
        rank = own_rank_text(policy, candidate, entry.district_code, entry.school_code)
    return Standing(rank, policy.date("publish_on"))
