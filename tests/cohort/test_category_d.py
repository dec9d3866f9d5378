"""Category D (新市民, 积分入学) and the routing district of a child without a hukou in the city
(cohort.md, "Category" and "Precise readings")."""

import datetime as dt

from ruxue.cohort.applicant import routing_district
from ruxue.cohort.family import months_back
from ruxue.cohort.records import Home, Hukou, Insurance, Parent, Permit
from ruxue.cohort.rules import NO_CATCHMENT, classify
from tests.support.cohort import APPLIED, CITY, DISTRICT, NORTH, SCHOOLS, SOUTH, case, policy

OTHER_DISTRICT = "320506"
SIX_MONTHS_BEFORE = dt.date(2025, 11, 10)  # APPLIED is 2026-05-10


def _permit(
    compound: str = "GS-S-1",
    valid_from: dt.date = SIX_MONTHS_BEFORE,
    district: str = DISTRICT,
    valid_to: dt.date = dt.date(2028, 1, 1),
) -> Permit:
    return Permit(f"JZ-{compound}-{valid_from}", district, compound, valid_from, valid_to)


def _parent(
    id_number: str = "420102198805050512",
    permit: Permit | None = None,
    months: tuple[int, ...] = (12,),
    points: float | None = 100,
) -> Parent:
    permits = (permit or _permit(),)
    return Parent(id_number, permits, tuple(Insurance(CITY, m) for m in months), points)


def _d(*parents: Parent, **keys: object) -> tuple[str | None, str | None, float]:
    found = classify(policy(**keys), case(parents=parents), SCHOOLS)
    return found.category, found.school_code, found.points


def test_category_d_catchment_is_the_permit_compounds_school() -> None:
    assert _d(_parent()) == ("D", SOUTH.code, 100)
    assert _d(_parent(permit=_permit("GS-N-2"))) == ("D", NORTH.code, 100)
    assert _d(_parent(permit=_permit("GS-X-9")))[0] is None


def test_category_d_permit_months_counted_back_from_the_application_date() -> None:
    assert _d(_parent(permit=_permit(valid_from=SIX_MONTHS_BEFORE)))[0] == "D"
    assert _d(_parent(permit=_permit(valid_from=dt.date(2025, 11, 11))))[0] is None
    late = _parent(permit=_permit(valid_from=dt.date(2026, 2, 10)))
    assert _d(late, permit_months=3)[0] == "D"


def test_category_d_permit_valid_at_application() -> None:
    expired = _permit(valid_to=APPLIED - dt.timedelta(days=1))
    assert _d(_parent(permit=expired))[0] is None
    assert _d(_parent(permit=_permit(valid_to=APPLIED)))[0] == "D"


def test_category_d_permit_of_the_district() -> None:
    hukou_here = Hukou(DISTRICT, "GS-X-9")  # a hukou in the district outside every catchment
    elsewhere = _parent(permit=_permit(district=OTHER_DISTRICT))
    found = classify(policy(), case(hukou=hukou_here, parents=(elsewhere,)), SCHOOLS)
    assert (found.category, found.reasons) == (None, (NO_CATCHMENT,))
    here = classify(policy(), case(hukou=hukou_here, parents=(_parent(),)), SCHOOLS)
    assert (here.category, here.district_code) == ("D", DISTRICT)


def test_category_d_insurance_months_summed_in_this_city() -> None:
    assert _d(_parent(months=(5, 7)), insurance_months=12)[0] == "D"
    assert _d(_parent(months=(5, 6)), insurance_months=12)[0] is None
    other_city = Parent("420102198805050512", (_permit(),), (Insurance("320100", 60),), 100)
    assert _d(other_city)[0] is None


def test_category_d_points_min() -> None:
    assert _d(_parent(points=80), points_min=80)[0] == "D"
    assert _d(_parent(points=79.5), points_min=80)[0] is None
    assert _d(_parent(points=None))[:2] == ("D", SOUTH.code)  # no record counts as 0 points
    assert _d(_parent(points=None), points_min=1)[0] is None


def test_category_d_one_parent_meets_every_condition_alone() -> None:
    permit_only = _parent(months=(), points=200)
    insurance_only = Parent("420102199001010021", (), (Insurance(CITY, 36),), 200)
    assert _d(permit_only, insurance_only)[0] is None


def test_category_d_both_parents_more_points() -> None:
    guardian = _parent(points=90, permit=_permit("GS-S-1"))
    spouse = _parent("420102199001010021", points=120, permit=_permit("GS-N-1"))
    assert _d(guardian, spouse) == ("D", NORTH.code, 120)


def test_category_d_both_parents_equal_points_earlier_permit() -> None:
    for early, late, school in (("GS-N-1", "GS-S-1", NORTH), ("GS-S-1", "GS-N-1", SOUTH)):
        guardian = _parent(points=100, permit=_permit(late, dt.date(2024, 3, 1)))
        spouse = _parent(
            "420102199001010021", points=100, permit=_permit(early, dt.date(2023, 3, 1))
        )
        found = classify(policy(), case(parents=(guardian, spouse)), SCHOOLS)
        assert (found.school_code, found.permit_from) == (school.code, dt.date(2023, 3, 1))


def test_category_d_only_when_nothing_else() -> None:
    found = classify(policy(), case(hukou=Hukou(DISTRICT, "GS-N-1"), parents=(_parent(),)), SCHOOLS)
    assert (found.category, found.school_code) == ("C", NORTH.code)


def test_months_back_is_calendar_months() -> None:
    assert months_back(dt.date(2026, 5, 31), 3) == dt.date(2026, 2, 28)
    assert months_back(dt.date(2026, 5, 10), 6) == dt.date(2025, 11, 10)
    assert months_back(dt.date(2026, 1, 31), 13) == dt.date(2024, 12, 31)
    assert months_back(dt.date(2026, 5, 10), 0) == dt.date(2026, 5, 10)


def test_routing_district_without_hukou_property_then_permit() -> None:
    home = Home("苏(2021)苏州市不动产权第0000003号", OTHER_DISTRICT, "WZ-1", dt.date(2021, 1, 1))
    parent = _parent(permit=_permit(district=DISTRICT))
    hukou = Hukou("320505", "HQ-1")

    def route(hukou: Hukou | None, home: Home | None, *parents: Parent) -> str | None:
        return routing_district(policy(), hukou, home, parents, APPLIED, CITY)

    assert route(hukou, home, parent) == "320505"
    assert route(None, home, parent) == OTHER_DISTRICT
    assert route(None, None, parent) == DISTRICT
    too_new = _parent(permit=_permit(district="320583", valid_from=dt.date(2026, 5, 1)))
    assert route(None, None, too_new) == "320583"  # no parent meets D: the permit still routes
    assert route(None, None) is None


def test_routing_district_of_the_applicant_parent() -> None:
    guardian = _parent(points=90, permit=_permit(district=OTHER_DISTRICT))
    spouse = _parent("420102199001010021", points=120, permit=_permit(district=DISTRICT))
    found = classify(policy(), case(parents=(guardian, spouse)), SCHOOLS)
    assert (found.district_code, found.category, found.school_code) == (DISTRICT, "D", SOUTH.code)
