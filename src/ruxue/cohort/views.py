"""What a family is shown of its qualified case: its own rank key and when the results are
published (``cohort.md``: "A family sees its category, its rank key (not other families')")."""

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

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


# The run's report as people read it: one row per school, the columns in the order a reviewer
# checks them (capacity, places by category, 录取线, overflow, unplaced). Pure.

HEADINGS = (
    "学校",
    "学位数",
    "此前已占",
    "录取（按类别）",
    "录取线",
    "统筹转入",
    "统筹转出",
    "未安排",
)


@dataclass(frozen=True)
class Row:
    school: str
    capacity: int
    taken_before: int
    by_category: str
    line: str
    overflow_in: int
    overflow_out: int
    unplaced: int

    def cells(self) -> tuple[str, ...]:
        return tuple(str(getattr(self, name)) for name in self.__dataclass_fields__)


class Reported(Protocol):
    """What a row is made of: a dry run's ``SchoolReport`` or a published ``CohortLine``."""

    @property
    def school_code(self) -> str: ...
    @property
    def capacity(self) -> int: ...
    @property
    def taken_before(self) -> int: ...
    @property
    def by_category(self) -> dict[str, int]: ...
    @property
    def line(self) -> str | None: ...
    @property
    def full(self) -> bool: ...
    @property
    def overflow_in(self) -> int: ...
    @property
    def overflow_out(self) -> int: ...
    @property
    def unplaced(self) -> int: ...


def rows(reports: Iterable[Reported], names: Mapping[str, str]) -> list[Row]:
    return [
        Row(
            school=f"{names.get(r.school_code, r.school_code)}（{r.school_code}）",
            capacity=r.capacity,
            taken_before=r.taken_before,
            by_category="，".join(f"{c}类 {n}" for c, n in r.by_category.items()) or "无",
            line=line_text(r.line, r.full),
            overflow_in=r.overflow_in,
            overflow_out=r.overflow_out,
            unplaced=r.unplaced,
        )
        for r in reports
    ]


def line_text(line: str | None, full: bool) -> str:
    if line is None:
        return "无录取"
    return line if full else f"{line}（未满额）"
