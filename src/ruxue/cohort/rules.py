"""Category with the cut-offs, the seat lock, same-year PROPERTY_IN_USE and category D
(``cohort.md``, "Category" and "Precise readings")."""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace

from ruxue.cohort.applicant import applicant_parent, routing_district
from ruxue.cohort.family import are_siblings, school_for
from ruxue.cohort.policy_keys import CohortPolicy
from ruxue.cohort.records import (
    Candidate,
    Category,
    Home,
    Hukou,
    Kin,
    Parent,
    Priority,
    School,
    SeatUse,
    Segment,
)

SEAT_LOCKED, PROPERTY_IN_USE, NO_CATCHMENT = "SEAT_LOCKED", "PROPERTY_IN_USE", "NO_CATCHMENT"


@dataclass(frozen=True, slots=True)
class CaseFacts:
    """One family as the cohort rules read it. ``hukou`` None: the child's hukou is not in the
    city; ``home`` None: no residence chosen, or it did not qualify under ``domain.md``."""

    segment: Segment
    child: Kin
    applied_on: dt.date
    city_code: str
    hukou: Hukou | None = None
    home: Home | None = None
    parents: tuple[Parent, ...] = ()


@dataclass(frozen=True, slots=True)
class Classification:
    category: Category | None
    school_code: str | None
    district_code: str | None
    reasons: tuple[str, ...] = ()
    locked_year: int | None = None  # the year the locked property gave a seat
    home: Home | None = None  # the property that counted (A, B)
    moved_in_on: dt.date | None = None
    points: float = 0.0
    permit_from: dt.date | None = None

    @property
    def qualified(self) -> bool:
        return self.category is not None and PROPERTY_IN_USE not in self.reasons


def locked_since(
    policy: CohortPolicy, segment: Segment, home: Home, child: Kin, history: Sequence[SeatUse]
) -> int | None:
    """The latest earlier year (Y' < Y, Y - Y' < N) in which the property gave a seat in the
    segment to a child who is not this child's sibling; None when it is not locked."""
    years = policy.seat_lock_years.get(segment)
    if years is None:
        return None
    locking = [
        use.year
        for use in history
        if use.cert_no == home.cert_no and _other_family(use, segment, child)
        if use.year < policy.year and policy.year - use.year < years
    ]
    return max(locking, default=None)


def in_use(
    policy: CohortPolicy, segment: Segment, home: Home, child: Kin, earlier: Sequence[SeatUse]
) -> bool:
    """An earlier submitted case of this year, of another family, already uses the property."""
    return any(
        use.cert_no == home.cert_no
        and use.year == policy.year
        and _other_family(use, segment, child)
        for use in earlier
    )


def _other_family(use: SeatUse, segment: Segment, child: Kin) -> bool:
    same_child = use.child.id_number == child.id_number
    return use.segment == segment and not same_child and not are_siblings(use.child, child)


def hukou_counts(policy: CohortPolicy, hukou: Hukou | None) -> bool:
    cutoff = policy.date("hukou_before")
    if hukou is None:
        return False
    return cutoff is None or hukou.moved_in_on is None or hukou.moved_in_on <= cutoff


def registered_in_time(policy: CohortPolicy, home: Home) -> bool:
    cutoff = policy.date("property_before")
    return cutoff is None or home.registered_on <= cutoff


def classify(
    policy: CohortPolicy,
    facts: CaseFacts,
    schools: Sequence[School],
    history: Sequence[SeatUse] = (),
    earlier: Sequence[SeatUse] = (),
) -> Classification:
    """The category and catchment school under the cut-offs, the lock and category D.
    ``history``: seats given in earlier years; ``earlier``: this year's earlier submitted cases'
    uses of a property."""
    district = routing_district(
        policy, facts.hukou, facts.home, facts.parents, facts.applied_on, facts.city_code
    )
    home, locked = _home_that_counts(policy, facts, history)
    reasons = (SEAT_LOCKED,) if locked is not None else ()
    base = Classification(None, None, district, reasons, locked)
    found = _by_home(policy, facts, schools, home, base) or _by_hukou(policy, facts, schools, base)
    found = found or _by_permit(policy, facts, schools, base)
    if found is None:
        return replace(base, reasons=(*reasons, NO_CATCHMENT))
    if found.home is not None and in_use(policy, facts.segment, found.home, facts.child, earlier):
        return replace(found, reasons=(*found.reasons, PROPERTY_IN_USE))
    return found


def _home_that_counts(
    policy: CohortPolicy, facts: CaseFacts, history: Sequence[SeatUse]
) -> tuple[Home | None, int | None]:
    """The property if it counts, and the year it gave a seat when it is locked."""
    home = facts.home
    if home is None or not registered_in_time(policy, home):
        return None, None
    locked = locked_since(policy, facts.segment, home, facts.child, history)
    return (None, locked) if locked is not None else (home, None)


def _by_home(
    policy: CohortPolicy,
    facts: CaseFacts,
    schools: Sequence[School],
    home: Home | None,
    base: Classification,
) -> Classification | None:
    school = school_for(home.compound_code, schools, facts.segment) if home else None
    if school is None:
        return None
    hukou = facts.hukou if hukou_counts(policy, facts.hukou) else None
    category: Category = "A" if hukou and hukou.compound_code in school.compound_codes else "B"
    moved = hukou.moved_in_on if hukou else None
    return replace(base, category=category, school_code=school.code, home=home, moved_in_on=moved)


def _by_hukou(
    policy: CohortPolicy, facts: CaseFacts, schools: Sequence[School], base: Classification
) -> Classification | None:
    if facts.hukou is None or not hukou_counts(policy, facts.hukou):
        return None
    school = school_for(facts.hukou.compound_code, schools, facts.segment)
    if school is None:
        return None
    return replace(base, category="C", school_code=school.code, moved_in_on=facts.hukou.moved_in_on)


def _by_permit(
    policy: CohortPolicy, facts: CaseFacts, schools: Sequence[School], base: Classification
) -> Classification | None:
    found = applicant_parent(
        policy, facts.parents, base.district_code, facts.applied_on, facts.city_code
    )
    school = school_for(found.permit.compound_code, schools, facts.segment) if found else None
    if found is None or school is None:
        return None
    return replace(
        base,
        category="D",
        school_code=school.code,
        points=found.points,
        permit_from=found.permit.valid_from,
    )


def as_candidate(
    case_id: str,
    facts: CaseFacts,
    found: Classification,
    priorities: tuple[Priority, ...] = (),
    sibling_schools: frozenset[str] = frozenset(),
) -> Candidate:
    """A qualified case as the run ranks it, with the dates and points its category reads."""
    if found.category is None or found.school_code is None or not found.qualified:
        raise ValueError(f"case {case_id} is not qualified")
    return Candidate(
        case_id=case_id,
        id_number=facts.child.id_number,
        category=found.category,
        school_code=found.school_code,
        priorities=priorities,
        sibling_schools=sibling_schools,
        registered_on=found.home.registered_on if found.home else None,
        moved_in_on=found.moved_in_on,
        points=found.points,
        permit_from=found.permit_from,
    )
