"""Small cohort records for the tests: one district (姑苏区), two primary schools."""

import datetime as dt
from typing import Any

from ruxue.cohort.policy_keys import CohortPolicy, validate_policy
from ruxue.cohort.records import Candidate, Kin, School
from ruxue.cohort.rules import CaseFacts
from ruxue.person.rules import make_id_number

YEAR = 2026
CITY = "320500"
DISTRICT = "320508"
APPLIED = dt.date(YEAR, 5, 10)
NORTH = School(
    "3205080101", DISTRICT, "primary", 2, frozenset({"GS-N-1", "GS-N-2"}), ("3205080102",)
)
SOUTH = School("3205080102", DISTRICT, "primary", 2, frozenset({"GS-S-1"}))
SCHOOLS = (NORTH, SOUTH)
FATHER, MOTHER = "320508198801010110", "320508199002020421"


def policy(**keys: Any) -> CohortPolicy:
    """A district on ``allocation`` with these keys, read as ``ruxue policy import`` reads them."""
    found = validate_policy({"placement": "allocation", **keys}, YEAR)
    assert isinstance(found, CohortPolicy), found
    return found


def child(sequence: int, father: str | None = FATHER, mother: str | None = MOTHER) -> Kin:
    """A child born in the primary age window; ``sequence`` tells children apart."""
    return Kin(make_id_number(DISTRICT, dt.date(YEAR - 7, 10, 15), sequence), father, mother)


def stranger(sequence: int) -> Kin:
    """A child of other parents."""
    return child(sequence, father=f"F{sequence}", mother=f"M{sequence}")


def case(kin: Kin | None = None, **fields: Any) -> CaseFacts:
    return CaseFacts(
        segment="primary",
        child=kin or child(1),
        applied_on=APPLIED,
        city_code=CITY,
        **fields,
    )


def candidate(number: int, category: str = "C", **fields: Any) -> Candidate:
    values: dict[str, Any] = {"school_code": NORTH.code, **fields}
    return Candidate(
        case_id=f"case-{number:04d}",
        id_number=stranger(number).id_number,
        category=category,  # type: ignore[arg-type]
        **values,
    )
