"""The dry run's report per school, in the order a reviewer checks it (``cohort.md``, run step 3)."""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from ruxue.cohort.policy_keys import CohortPolicy
from ruxue.cohort.rank import line_text
from ruxue.cohort.records import Candidate
from ruxue.cohort.run import Admitted, Allocation


@dataclass(frozen=True, slots=True)
class SchoolReport:
    school_code: str
    capacity: int
    taken_before: int  # seats placed this year before the run
    by_category: dict[str, int]  # places at this school (catchment and overflow) per category
    line: str | None  # 录取线: the last rank admitted from the catchment; None when none was
    full: bool  # some catchment case was left out
    overflow_in: int  # cases of other catchments placed here (统筹)
    overflow_out: int  # cases of this catchment placed at another school
    unplaced: int  # cases of this catchment left without a seat (NO_SEAT)


def report(
    policy: CohortPolicy, allocation: Allocation, candidates: Iterable[Candidate]
) -> list[SchoolReport]:
    by_case = {c.case_id: c for c in candidates}
    return [_school(policy, step, allocation, by_case) for step in allocation.steps]


def _school(
    policy: CohortPolicy, step: Admitted, allocation: Allocation, by_case: dict[str, Candidate]
) -> SchoolReport:
    code = step.school.code
    here = [by_case[s.case_id] for s in allocation.seats if s.school_code == code]
    mine = {c.case_id for c in by_case.values() if c.school_code == code}
    moved = [s for s in allocation.overflow if s.case_id in mine]
    return SchoolReport(
        school_code=code,
        capacity=step.school.capacity,
        taken_before=step.school.capacity - step.free,
        by_category=dict(sorted(Counter(c.category for c in here).items())),
        line=_line(policy, step),
        full=step.first_out is not None,
        overflow_in=sum(1 for s in allocation.overflow if s.school_code == code),
        overflow_out=sum(1 for s in moved if s.school_code is not None),
        unplaced=sum(1 for s in moved if s.school_code is None),
    )


def _line(policy: CohortPolicy, step: Admitted) -> str | None:
    """The last admitted rank; with its lottery number when the first one left out differs from
    it only by the lottery."""
    if not step.admitted:
        return None
    last = step.admitted[-1][0]
    tied = step.first_out is not None and step.first_out.merit == last.merit
    return line_text(policy, last, with_lottery=tied)
