"""Category with the cut-offs, the seat lock and same-year PROPERTY_IN_USE (cohort.md, "Category")."""

import datetime as dt

import pytest

from ruxue.cohort.records import Home, Hukou, SeatUse
from ruxue.cohort.rules import NO_CATCHMENT, PROPERTY_IN_USE, SEAT_LOCKED, as_candidate, classify
from tests.support.cohort import (
    DISTRICT,
    NORTH,
    SCHOOLS,
    SOUTH,
    YEAR,
    case,
    child,
    policy,
    stranger,
)

NORTH_HOME = Home("苏(2020)苏州市不动产权第0000001号", DISTRICT, "GS-N-1", dt.date(2020, 6, 1))
NORTH_HUKOU = Hukou(DISTRICT, "GS-N-2", dt.date(2020, 7, 1))
SOUTH_HUKOU = Hukou(DISTRICT, "GS-S-1", dt.date(2020, 7, 1))
NOWHERE_HUKOU = Hukou(DISTRICT, "GS-X-9", dt.date(2020, 7, 1))
LOCK = policy(seat_lock_years={"primary": 6})


def _seat(year: int, kin: object = None, segment: str = "primary") -> SeatUse:
    return SeatUse(NORTH_HOME.cert_no, kin or stranger(900), year, segment)  # type: ignore[arg-type]


def test_category_a_same_catchment_not_same_compound() -> None:
    found = classify(policy(), case(home=NORTH_HOME, hukou=NORTH_HUKOU), SCHOOLS)
    assert (found.category, found.school_code, found.reasons) == ("A", NORTH.code, ())
    assert (found.home, found.moved_in_on, found.district_code) == (
        NORTH_HOME,
        NORTH_HUKOU.moved_in_on,
        DISTRICT,
    )


def test_category_b_property_in_catchment_hukou_elsewhere() -> None:
    found = classify(policy(), case(home=NORTH_HOME, hukou=SOUTH_HUKOU), SCHOOLS)
    assert (found.category, found.school_code) == ("B", NORTH.code)


def test_category_c_counting_hukou_in_a_catchment() -> None:
    found = classify(policy(), case(hukou=SOUTH_HUKOU), SCHOOLS)
    assert (found.category, found.school_code, found.home) == ("C", SOUTH.code, None)


def test_no_catchment_when_nothing_counts() -> None:
    found = classify(policy(), case(hukou=NOWHERE_HUKOU), SCHOOLS)
    assert (found.category, found.school_code, found.reasons) == (None, None, (NO_CATCHMENT,))
    assert not found.qualified


def test_hukou_before_cutoff_inclusive() -> None:
    cut = policy(hukou_before="2020-07-01")
    assert classify(cut, case(hukou=SOUTH_HUKOU), SCHOOLS).category == "C"
    late = Hukou(DISTRICT, "GS-S-1", dt.date(2020, 7, 2))
    assert classify(cut, case(hukou=late), SCHOOLS).reasons == (NO_CATCHMENT,)


def test_hukou_before_month_day_is_in_the_enrollment_year() -> None:
    moved = Hukou(DISTRICT, "GS-S-1", dt.date(YEAR, 3, 31))
    assert classify(policy(hukou_before="03-31"), case(hukou=moved), SCHOOLS).category == "C"
    assert classify(policy(hukou_before="03-30"), case(hukou=moved), SCHOOLS).category is None


def test_hukou_missing_moved_in_on_always_there() -> None:
    always = Hukou(DISTRICT, "GS-S-1", None)
    assert classify(policy(hukou_before="2000-01-01"), case(hukou=always), SCHOOLS).category == "C"


def test_hukou_after_cutoff_turns_a_into_b() -> None:
    cut = policy(hukou_before="2020-06-30")
    found = classify(cut, case(home=NORTH_HOME, hukou=NORTH_HUKOU), SCHOOLS)
    assert (found.category, found.moved_in_on) == ("B", None)


def test_property_before_cutoff_inclusive() -> None:
    facts = case(home=NORTH_HOME, hukou=SOUTH_HUKOU)
    assert classify(policy(property_before="2020-06-01"), facts, SCHOOLS).category == "B"
    found = classify(policy(property_before="2020-05-31"), facts, SCHOOLS)
    assert (found.category, found.school_code, found.home) == ("C", SOUTH.code, None)


def test_seat_lock_earlier_years_only() -> None:
    facts = case(home=NORTH_HOME, hukou=SOUTH_HUKOU)
    assert classify(LOCK, facts, SCHOOLS, history=[_seat(YEAR - 5)]).locked_year == YEAR - 5
    assert classify(LOCK, facts, SCHOOLS, history=[_seat(YEAR - 6)]).category == "B"
    same_year = classify(LOCK, facts, SCHOOLS, history=[_seat(YEAR)])
    assert (same_year.category, same_year.reasons) == ("B", ())


def test_seat_lock_names_the_latest_year_used() -> None:
    history = [_seat(YEAR - 5), _seat(YEAR - 2), _seat(YEAR - 9)]
    found = classify(LOCK, case(home=NORTH_HOME, hukou=SOUTH_HUKOU), SCHOOLS, history=history)
    assert (found.locked_year, found.reasons) == (YEAR - 2, (SEAT_LOCKED,))


def test_seat_lock_sibling_exempt() -> None:
    facts = case(child(1), home=NORTH_HOME, hukou=SOUTH_HUKOU)
    same_father = child(3, mother="320508199303030428")
    same_mother = child(5, father="320508198704040113")
    for sibling in (same_father, same_mother):
        found = classify(LOCK, facts, SCHOOLS, history=[_seat(YEAR - 2, sibling)])
        assert (found.category, found.reasons) == ("B", ())
    unknown_parents = child(7, father=None, mother=None)
    found = classify(
        LOCK,
        case(child(9, None, None), home=NORTH_HOME),
        SCHOOLS,
        history=[_seat(YEAR - 2, unknown_parents)],
    )
    assert found.reasons == (SEAT_LOCKED, NO_CATCHMENT)


def test_seat_lock_per_segment() -> None:
    facts = case(home=NORTH_HOME, hukou=SOUTH_HUKOU)
    junior = [_seat(YEAR - 1, segment="junior")]
    assert classify(LOCK, facts, SCHOOLS, history=junior).reasons == ()
    only_junior = policy(seat_lock_years={"junior": 3})
    assert classify(only_junior, facts, SCHOOLS, history=[_seat(YEAR - 1)]).reasons == ()


def test_seat_locked_case_goes_on_without_the_property() -> None:
    found = classify(
        LOCK, case(home=NORTH_HOME, hukou=SOUTH_HUKOU), SCHOOLS, history=[_seat(YEAR - 1)]
    )
    assert (found.category, found.school_code, found.home) == ("C", SOUTH.code, None)
    assert (found.reasons, found.locked_year, found.qualified) == ((SEAT_LOCKED,), YEAR - 1, True)


def test_seat_locked_and_nothing_left_is_no_catchment_with_both_reasons() -> None:
    found = classify(LOCK, case(home=NORTH_HOME), SCHOOLS, history=[_seat(YEAR - 1)])
    assert (found.category, found.reasons) == (None, (SEAT_LOCKED, NO_CATCHMENT))


def test_property_in_use_same_year() -> None:
    earlier = [_seat(YEAR)]
    found = classify(policy(), case(home=NORTH_HOME, hukou=SOUTH_HUKOU), SCHOOLS, earlier=earlier)
    assert (found.category, found.reasons, found.qualified) == ("B", (PROPERTY_IN_USE,), False)


def test_property_in_use_not_by_a_sibling_or_another_segment() -> None:
    facts = case(child(1), home=NORTH_HOME, hukou=SOUTH_HUKOU)
    twin = [_seat(YEAR, child(3))]
    assert classify(policy(), facts, SCHOOLS, earlier=twin).reasons == ()
    junior = [_seat(YEAR, segment="junior")]
    assert classify(policy(), facts, SCHOOLS, earlier=junior).reasons == ()
    other_home = [SeatUse("苏(2021)苏州市不动产权第0000002号", stranger(900), YEAR, "primary")]
    assert classify(policy(), facts, SCHOOLS, earlier=other_home).reasons == ()


def test_property_in_use_only_when_the_property_counted() -> None:
    history, earlier = [_seat(YEAR - 1)], [_seat(YEAR)]
    found = classify(LOCK, case(home=NORTH_HOME, hukou=SOUTH_HUKOU), SCHOOLS, history, earlier)
    assert (found.category, found.reasons) == ("C", (SEAT_LOCKED,))


def test_property_in_use_only_by_cases_of_this_year() -> None:
    earlier = [_seat(YEAR - 1)]  # an earlier year is the lock's business, not this rule's
    found = classify(policy(), case(home=NORTH_HOME, hukou=SOUTH_HUKOU), SCHOOLS, earlier=earlier)
    assert found.reasons == ()


def test_as_candidate_carries_what_the_category_ranks_by() -> None:
    facts = case(home=NORTH_HOME, hukou=NORTH_HUKOU)
    found = as_candidate("case-1", facts, classify(policy(), facts, SCHOOLS))
    assert (found.category, found.school_code, found.id_number) == (
        "A",
        NORTH.code,
        facts.child.id_number,
    )
    assert (found.registered_on, found.moved_in_on) == (
        NORTH_HOME.registered_on,
        NORTH_HUKOU.moved_in_on,
    )
    in_use = classify(policy(), facts, SCHOOLS, earlier=[_seat(YEAR)])
    for unqualified in (in_use, classify(policy(), case(hukou=NOWHERE_HUKOU), SCHOOLS)):
        with pytest.raises(ValueError, match="not qualified"):
            as_candidate("case-2", facts, unqualified)
