"""The rank at a school and the SM3 lottery (cohort.md, "Rank at a school")."""

import datetime as dt

import gmalg

from ruxue.cohort.family import sibling_schools
from ruxue.cohort.rank import lottery, own_rank_text, rank_key
from ruxue.cohort.records import Candidate, Enrolled, Priority
from tests.support.cohort import DISTRICT, NORTH, SOUTH, candidate, child, policy, stranger

SEED = "c0ffee42"
OTHER_DISTRICT = "320506"


def _order(cases: list[Candidate], at_school: str | None = NORTH.code, **keys: object) -> list[str]:
    rules = policy(**keys)
    ranked = sorted(cases, key=lambda c: rank_key(rules, c, SEED, DISTRICT, at_school))
    return [c.case_id for c in ranked]


def test_lottery_matches_spec_bytes() -> None:
    id_number = "32050820191015007X"
    # SM3("c0ffee42:32050820191015007X"), computed once with gmalg, a second implementation
    expected = "593dafac1992349e8dee8ade07bef966462848a01668ae686f580737e7d23065"
    assert lottery("C0FFEE42", id_number.lower()) == expected
    digest = gmalg.SM3()
    digest.update(b"c0ffee42:" + id_number.encode("utf-8"))
    assert digest.value().hex() == expected


def test_lottery_seed_in_lower_case_and_utf8() -> None:
    digest = gmalg.SM3()
    digest.update("摇号ab:32050820191015007X".encode())
    assert lottery("摇号AB", "32050820191015007x") == digest.value().hex()


def test_lottery_orders_what_is_still_tied_by_ascending_hex() -> None:
    cases = [candidate(n, "C", moved_in_on=dt.date(2020, 1, 1)) for n in range(1, 9)]
    by_hex = sorted(cases, key=lambda c: lottery(SEED, c.id_number))
    assert _order(cases) == [c.case_id for c in by_hex]


def test_rank_priority_groups_first_in_their_order() -> None:
    military = (Priority("military", DISTRICT),)
    talent = (Priority("talent", DISTRICT),)
    plain = candidate(1, "A", registered_on=dt.date(2010, 1, 1))
    soldier = candidate(2, "C", priorities=military)
    scholar = candidate(3, "D", priorities=talent)
    unnamed = candidate(4, "B", priorities=(Priority("firefighter", DISTRICT),))
    order = _order([plain, soldier, scholar, unnamed], priority_groups=["talent", "military"])
    assert order == ["case-0003", "case-0002", "case-0001", "case-0004"]
    assert _order([plain, soldier, scholar, unnamed]) == [
        "case-0001",
        "case-0004",
        "case-0002",
        "case-0003",
    ]


def test_rank_priority_only_in_its_own_district() -> None:
    elsewhere = candidate(2, "C", priorities=(Priority("military", OTHER_DISTRICT),))
    plain = candidate(1, "A", registered_on=dt.date(2010, 1, 1))
    assert _order([elsewhere, plain], priority_groups=["military"]) == ["case-0001", "case-0002"]


def test_rank_category_a_b_c_d() -> None:
    cases = [
        candidate(1, "D", points=500, permit_from=dt.date(2000, 1, 1)),
        candidate(2, "C", moved_in_on=dt.date(2000, 1, 1)),
        candidate(3, "B", registered_on=dt.date(2000, 1, 1)),
        candidate(4, "A", registered_on=dt.date(2025, 1, 1), moved_in_on=dt.date(2025, 1, 1)),
    ]
    assert _order(cases) == ["case-0004", "case-0003", "case-0002", "case-0001"]


def test_rank_a_by_the_later_of_registered_on_and_moved_in_on() -> None:
    first = candidate(1, "A", registered_on=dt.date(2019, 5, 1), moved_in_on=dt.date(2016, 1, 1))
    second = candidate(2, "A", registered_on=dt.date(2018, 1, 1), moved_in_on=dt.date(2019, 6, 1))
    third = candidate(3, "A", registered_on=dt.date(2020, 1, 1), moved_in_on=None)
    assert _order([third, second, first]) == ["case-0001", "case-0002", "case-0003"]


def test_rank_b_by_registered_on_and_c_by_moved_in_on() -> None:
    b_late = candidate(1, "B", registered_on=dt.date(2021, 1, 1), moved_in_on=dt.date(2001, 1, 1))
    b_early = candidate(2, "B", registered_on=dt.date(2020, 1, 1), moved_in_on=dt.date(2022, 1, 1))
    assert _order([b_late, b_early]) == ["case-0002", "case-0001"]
    c_late = candidate(3, "C", moved_in_on=dt.date(2021, 1, 1), registered_on=dt.date(2001, 1, 1))
    c_early = candidate(4, "C", moved_in_on=dt.date(2020, 1, 1), registered_on=dt.date(2022, 1, 1))
    assert _order([c_late, c_early]) == ["case-0004", "case-0003"]


def test_rank_missing_moved_in_on_is_the_earliest() -> None:
    dated = candidate(1, "C", moved_in_on=dt.date(1990, 1, 1))
    undated = candidate(2, "C", moved_in_on=None)
    assert _order([dated, undated]) == ["case-0002", "case-0001"]


def test_rank_d_by_points_then_earlier_permit() -> None:
    low = candidate(1, "D", points=90, permit_from=dt.date(2010, 1, 1))
    high_late = candidate(2, "D", points=120.5, permit_from=dt.date(2025, 1, 1))
    high_early = candidate(3, "D", points=120.5, permit_from=dt.date(2024, 1, 1))
    assert _order([low, high_late, high_early]) == ["case-0003", "case-0002", "case-0001"]


def test_sibling_priority_first_in_its_category_at_the_siblings_school() -> None:
    with_sibling = candidate(
        1, "B", registered_on=dt.date(2025, 1, 1), sibling_schools=frozenset({NORTH.code})
    )
    earlier = candidate(2, "B", registered_on=dt.date(2015, 1, 1))
    better_category = candidate(3, "A", registered_on=dt.date(2025, 6, 1))
    cases = [with_sibling, earlier, better_category]
    assert _order(cases, sibling_priority=True) == ["case-0003", "case-0001", "case-0002"]
    assert _order(cases, sibling_priority=False) == ["case-0003", "case-0002", "case-0001"]
    assert _order(cases, SOUTH.code, sibling_priority=True) == [
        "case-0003",
        "case-0002",
        "case-0001",
    ]
    across = _order(cases, None, sibling_priority=True)  # step 2 of the run: no sibling priority
    assert across == ["case-0003", "case-0002", "case-0001"]


def test_sibling_schools_elder_enrolled_by_father_or_mother() -> None:
    me = child(1)
    born = dt.date(2019, 10, 15)
    elder_by_mother = Enrolled(child(3, father="X"), dt.date(2016, 1, 1), "enrolled", NORTH.code)
    elder_graduated = Enrolled(child(5), dt.date(2014, 1, 1), "graduated", SOUTH.code)
    younger = Enrolled(child(7), dt.date(2020, 1, 1), "enrolled", "3205080199")
    cousin = Enrolled(stranger(9), dt.date(2016, 1, 1), "enrolled", "3205080198")
    unknown_school = Enrolled(child(11), dt.date(2016, 1, 1), "enrolled", None)
    statuses = [elder_by_mother, elder_graduated, younger, cousin, unknown_school]
    assert sibling_schools(me, born, statuses) == frozenset({NORTH.code})


def test_own_rank_text_before_the_lottery() -> None:
    rules = policy(sibling_priority=True)
    mine = candidate(1, "A", registered_on=dt.date(2019, 6, 1), moved_in_on=dt.date(2018, 1, 1))
    assert own_rank_text(rules, mine, DISTRICT) == "A类 2019-06-01"
    sibling = candidate(2, "C", moved_in_on=None, sibling_schools=frozenset({NORTH.code}))
    assert (
        own_rank_text(rules, sibling, DISTRICT, NORTH.code)
        == "C类 兄姐在读 日期无记录（按最早的日期排序）"
    )
