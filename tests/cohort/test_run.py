"""The run of a district, its dry-run report and late cases (cohort.md, "The run")."""

import dataclasses
import datetime as dt

from ruxue.cohort.rank import lottery
from ruxue.cohort.records import Candidate, Priority, School
from ruxue.cohort.report import SchoolReport, report
from ruxue.cohort.run import NO_SEAT, Seat, allocate, place_late
from tests.support.cohort import DISTRICT, NORTH, SCHOOLS, SOUTH, candidate, policy

SEED = "5eed"
RULES = policy(sibling_priority=True)


def _cases() -> list[Candidate]:
    return [
        candidate(1, "A", registered_on=dt.date(2018, 1, 1), moved_in_on=dt.date(2018, 2, 1)),
        candidate(2, "B", registered_on=dt.date(2019, 5, 1)),
        candidate(3, "B", registered_on=dt.date(2020, 1, 1)),
        candidate(4, "C", moved_in_on=dt.date(2015, 1, 1)),
        candidate(5, "C", school_code=SOUTH.code, moved_in_on=dt.date(2016, 3, 1)),
    ]


def _seats(
    cases: list[Candidate], schools: tuple[School, ...] = SCHOOLS, **kw: object
) -> dict[str, Seat]:
    run = allocate(RULES, DISTRICT, schools, cases, SEED, **kw)  # type: ignore[arg-type]
    return {s.case_id: s for s in run.seats}


def _where(seats: dict[str, Seat]) -> dict[str, tuple[str | None, str | None]]:
    return {case: (s.school_code, s.placement or s.reason) for case, s in seats.items()}


def test_run_fills_catchment_in_rank_order_then_overflow_then_no_seat() -> None:
    assert _where(_seats(_cases())) == {
        "case-0001": (NORTH.code, "catchment"),
        "case-0002": (NORTH.code, "catchment"),
        "case-0003": (SOUTH.code, "overflow"),
        "case-0004": (None, NO_SEAT),
        "case-0005": (SOUTH.code, "catchment"),
    }


def test_run_seats_already_placed_this_year_count() -> None:
    seats = _seats(_cases(), taken={NORTH.code: 1, SOUTH.code: 5})
    assert [c for c, s in seats.items() if s.school_code] == ["case-0001"]
    assert seats["case-0005"].reason == NO_SEAT


def test_run_overflow_to_the_first_school_of_the_list_with_a_seat() -> None:
    full = School("3205080103", DISTRICT, "primary", 0, frozenset({"GS-F-1"}))
    north = dataclasses.replace(NORTH, overflow_to=(full.code, SOUTH.code))
    seats = _seats(_cases(), (north, SOUTH, full))
    assert _where(seats)["case-0003"] == (SOUTH.code, "overflow")


def test_run_overflow_only_to_the_catchment_schools_list() -> None:
    stray = candidate(6, "A", school_code="3205089999", registered_on=dt.date(2000, 1, 1))
    seats = _seats([*_cases(), stray])
    assert _where(seats)["case-0006"] == (None, NO_SEAT)
    south_first = dataclasses.replace(SOUTH, capacity=0)
    seats = _seats([candidate(5, "A", school_code=SOUTH.code)], (NORTH, south_first))
    assert _where(seats)["case-0005"] == (None, NO_SEAT)  # SOUTH has no overflow_to


def test_run_overflow_in_one_order_across_the_district() -> None:
    one_seat = dataclasses.replace(SOUTH, capacity=1)
    east = School("3205080103", DISTRICT, "primary", 0, frozenset({"GS-E-1"}), (SOUTH.code,))
    east_c = candidate(3, "C", school_code=east.code, moved_in_on=dt.date(2015, 1, 1))
    north_b = candidate(4, "B", registered_on=dt.date(2020, 1, 1))
    seats = _where(_seats([*_cases()[:2], east_c, north_b], (NORTH, one_seat, east)))
    assert seats["case-0004"] == (SOUTH.code, "overflow")
    assert seats["case-0003"] == (None, NO_SEAT)


def test_sibling_priority_in_step_one_only() -> None:
    at_north = frozenset({NORTH.code})
    at_south = frozenset({SOUTH.code})
    first = candidate(1, "B", registered_on=dt.date(2010, 1, 1))
    sibling_here = candidate(2, "B", registered_on=dt.date(2022, 1, 1), sibling_schools=at_north)
    earlier = candidate(3, "B", registered_on=dt.date(2015, 1, 1))
    sibling_there = candidate(4, "B", registered_on=dt.date(2021, 1, 1), sibling_schools=at_south)
    one_seat = dataclasses.replace(SOUTH, capacity=1)
    seats = _where(_seats([first, sibling_here, earlier, sibling_there], (NORTH, one_seat)))
    assert seats["case-0002"] == (NORTH.code, "catchment")
    assert seats["case-0003"] == (SOUTH.code, "overflow")
    assert seats["case-0004"] == (None, NO_SEAT)


def test_dry_run_report_per_school() -> None:
    cases = _cases()
    run = allocate(RULES, DISTRICT, SCHOOLS, cases, SEED, taken={SOUTH.code: 0})
    north, south = report(RULES, run, cases)
    assert north == SchoolReport(
        school_code=NORTH.code,
        capacity=2,
        taken_before=0,
        by_category={"A": 1, "B": 1},
        line="B类 2019-05-01",
        full=True,
        overflow_in=0,
        overflow_out=1,
        unplaced=1,
    )
    assert (south.by_category, south.line, south.full) == (
        {"B": 1, "C": 1},
        "C类 2016-03-01",
        False,
    )
    assert (south.overflow_in, south.overflow_out, south.unplaced) == (1, 0, 0)


def test_dry_run_report_line_names_the_lottery_when_the_cut_falls_in_a_tie() -> None:
    tied = [candidate(n, "C", moved_in_on=None) for n in (1, 2, 3)]
    run = allocate(RULES, DISTRICT, SCHOOLS, tied, SEED)
    last = max(
        (
            c
            for c in tied
            if c.case_id in {s.case_id for s in run.seats if s.placement == "catchment"}
        ),
        key=lambda c: lottery(SEED, c.id_number),
    )
    (north, south) = report(RULES, run, tied)
    assert north.line == f"C类 最早 摇号 {lottery(SEED, last.id_number)[:8]}"
    assert south.line is None  # the line is the catchment's: the one sent there is not in it
    assert (north.full, north.overflow_out, south.overflow_in) == (True, 1, 1)


def test_dry_run_report_line_of_priority_sibling_and_category_d() -> None:
    rules = policy(priority_groups=["military"], sibling_priority=True)
    soldier = candidate(
        1, "C", moved_in_on=dt.date(2020, 1, 1), priorities=(Priority("military", DISTRICT),)
    )
    sibling = candidate(
        2, "B", registered_on=dt.date(2021, 1, 1), sibling_schools=frozenset({NORTH.code})
    )
    newcomer = candidate(
        3, "D", school_code=SOUTH.code, points=132.5, permit_from=dt.date(2024, 3, 1)
    )
    run = allocate(rules, DISTRICT, SCHOOLS, [soldier, sibling, newcomer], SEED)
    north, south = report(rules, run, [soldier, sibling, newcomer])
    assert north.line == "B类 兄姐在读 2021-01-01"
    assert south.line == "D类 132.5分 居住证 2024-03-01"
    only_soldier = allocate(
        rules, DISTRICT, (dataclasses.replace(NORTH, capacity=1),), [soldier, sibling], SEED
    )
    assert (
        report(rules, only_soldier, [soldier, sibling])[0].line
        == "优先群体 军人子女 C类 2020-01-01"
    )


def test_late_case_catchment_then_overflow_then_no_seat() -> None:
    late = candidate(9, "C", moved_in_on=dt.date(2020, 1, 1))
    assert place_late(late, SCHOOLS, {NORTH.code: 1, SOUTH.code: 1}) == Seat(
        late.case_id, NORTH.code, "catchment"
    )
    assert place_late(late, SCHOOLS, {NORTH.code: 0, SOUTH.code: 1}) == Seat(
        late.case_id, SOUTH.code, "overflow"
    )
    assert place_late(late, SCHOOLS, {NORTH.code: 0, SOUTH.code: 0}) == Seat(
        late.case_id, None, None, NO_SEAT
    )
    south_late = candidate(8, "C", school_code=SOUTH.code)
    assert place_late(south_late, SCHOOLS, {NORTH.code: 5, SOUTH.code: 0}).reason == NO_SEAT


def test_late_case_does_not_spend_the_callers_seats() -> None:
    free = {NORTH.code: 0, SOUTH.code: 1}
    place_late(candidate(9, "C"), SCHOOLS, free)
    assert free == {NORTH.code: 0, SOUTH.code: 1}
