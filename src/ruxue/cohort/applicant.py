"""Category D (新市民, 积分入学): which parent is the applicant parent, and the routing district of
a child whose hukou is not in the city (``cohort.md``, "Precise readings")."""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from ruxue.cohort.family import months_back
from ruxue.cohort.policy_keys import CohortPolicy
from ruxue.cohort.records import Home, Hukou, Parent, Permit


@dataclass(frozen=True, slots=True)
class Standing:
    """A parent who meets category D alone: whose points and permit are the family's."""

    parent: Parent
    permit: Permit
    points: float

    @property
    def order(self) -> tuple[float, dt.date]:
        return -self.points, self.permit.valid_from


def qualifying_permit(
    policy: CohortPolicy, parent: Parent, district: str | None, applied_on: dt.date
) -> Permit | None:
    """The parent's permit of the district (any district when None) valid on the application
    date and issued at least ``permit_months`` calendar months before it; the earliest wins."""
    issued_by = months_back(applied_on, policy.permit_months)
    permits = [
        p
        for p in parent.permits
        if district is None or p.district_code == district
        if p.valid_from <= issued_by and p.valid_from <= applied_on <= p.valid_to
    ]
    return min(permits, key=lambda p: (p.valid_from, p.permit_no), default=None)


def insurance_months(parent: Parent, city_code: str) -> int:
    """The ``months_paid`` of the parent's records in this city, summed."""
    return sum(r.months_paid for r in parent.insurance if r.city_code == city_code)


def standing(
    policy: CohortPolicy, parent: Parent, district: str | None, applied_on: dt.date, city: str
) -> Standing | None:
    permit = qualifying_permit(policy, parent, district, applied_on)
    points = parent.points or 0.0
    if permit is None or insurance_months(parent, city) < policy.insurance_months:
        return None
    return Standing(parent, permit, points) if points >= policy.points_min else None


def applicant_parent(
    policy: CohortPolicy,
    parents: Sequence[Parent],
    district: str | None,
    applied_on: dt.date,
    city: str,
) -> Standing | None:
    """Of the parents who meet category D alone, the one with more points, then the earlier
    permit (then the guardian, who is listed first)."""
    standings = [standing(policy, p, district, applied_on, city) for p in parents]
    met = [s for s in standings if s is not None]
    return min(met, key=lambda s: s.order, default=None)


def routing_district(
    policy: CohortPolicy,
    hukou: Hukou | None,
    home: Home | None,
    parents: Sequence[Parent],
    applied_on: dt.date,
    city: str,
) -> str | None:
    """The hukou's district; without a hukou in the city the chosen property's, else the
    applicant parent's permit's (the permit with the most points, then the earliest, if none
    meets category D); None when there is nothing to route by."""
    if hukou is not None:
        return hukou.district_code
    if home is not None:
        return home.district_code
    found = applicant_parent(policy, parents, None, applied_on, city)
    if found is not None:
        return found.permit.district_code
    held = [(-(p.points or 0.0), q.valid_from, q.district_code) for p in parents for q in p.permits]
    return min(held)[2] if held else None
