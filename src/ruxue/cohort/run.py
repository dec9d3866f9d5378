"""The run of one district and segment, and a late case after publication (``cohort.md``,
"The run")."""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final, Literal

from ruxue.cohort.policy_keys import CohortPolicy
from ruxue.cohort.rank import RankKey, rank_key
from ruxue.cohort.records import Candidate, School

NO_SEAT = "NO_SEAT"
CATCHMENT: Final = "catchment"
OVERFLOW: Final = "overflow"


@dataclass(frozen=True, slots=True)
class Seat:
    """Where a case was placed: ``school_code`` None is unplaced, with ``reason`` NO_SEAT."""

    case_id: str
    school_code: str | None
    placement: Literal["catchment", "overflow"] | None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class Admitted:
    """Step 1 at one school: the seats free, who got them in rank order, the first left out."""

    school: School
    free: int
    admitted: tuple[tuple[RankKey, Candidate], ...]
    first_out: RankKey | None


@dataclass(frozen=True, slots=True)
class Allocation:
    seats: tuple[Seat, ...]  # ordered by case id
    steps: tuple[Admitted, ...]  # ordered by school code
    overflow: tuple[Seat, ...] = field(default=())  # step 2, in the order the cases were taken


def allocate(
    policy: CohortPolicy,
    district: str,
    schools: Iterable[School],
    candidates: Iterable[Candidate],
    seed: str,
    taken: Mapping[str, int] | None = None,
) -> Allocation:
    """Step 1: each school takes its catchment's cases in rank order up to its free seats;
    step 2: the rest, in one order across the district, each to the first school of its
    catchment school's ``overflow_to`` with a seat, else unplaced (NO_SEAT).
    ``taken``: seats already placed this year, per school code."""
    by_code = {s.code: s for s in sorted(schools, key=lambda s: s.code)}
    free = {code: max(0, s.capacity - (taken or {}).get(code, 0)) for code, s in by_code.items()}
    cases = sorted(candidates, key=lambda c: c.case_id)
    steps = tuple(
        _step_one(policy, district, school, cases, free, seed) for school in by_code.values()
    )
    admitted = {c.case_id for step in steps for _, c in step.admitted}
    rest = [c for c in cases if c.case_id not in admitted]
    rest.sort(key=lambda c: rank_key(policy, c, seed, district))
    overflow = tuple(_overflow(c, by_code, free) for c in rest)
    catchment = [Seat(c.case_id, s.school.code, CATCHMENT) for s in steps for _, c in s.admitted]
    seats = tuple(sorted([*catchment, *overflow], key=lambda s: s.case_id))
    return Allocation(seats=seats, steps=steps, overflow=overflow)


def _step_one(
    policy: CohortPolicy,
    district: str,
    school: School,
    cases: Sequence[Candidate],
    free: dict[str, int],
    seed: str,
) -> Admitted:
    mine = [c for c in cases if c.school_code == school.code]
    ranked = sorted(
        ((rank_key(policy, c, seed, district, school.code), c) for c in mine), key=lambda p: p[0]
    )
    seats = free[school.code]
    free[school.code] = max(0, seats - len(ranked))
    first_out = ranked[seats][0] if len(ranked) > seats else None
    return Admitted(school, seats, tuple(ranked[:seats]), first_out)


def _overflow(candidate: Candidate, schools: Mapping[str, School], free: dict[str, int]) -> Seat:
    home = schools.get(candidate.school_code)
    for code in home.overflow_to if home else ():
        if free.get(code, 0) > 0:
            free[code] -= 1
            return Seat(candidate.case_id, code, OVERFLOW)
    return Seat(candidate.case_id, None, None, NO_SEAT)


def place_late(candidate: Candidate, schools: Iterable[School], free: Mapping[str, int]) -> Seat:
    """A case qualified after publication: its catchment school if a seat is left, else the
    first school of its ``overflow_to`` with one, else NO_SEAT. ``free``: seats left per school."""
    if free.get(candidate.school_code, 0) > 0:
        return Seat(candidate.case_id, candidate.school_code, CATCHMENT)
    by_code = {s.code: s for s in schools}
    return _overflow(candidate, by_code, dict(free))
