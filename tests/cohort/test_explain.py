"""Why a case was placed where it was, in plain Chinese, with the line it met or missed."""

from ruxue.cohort.explain import OPEN, reasons_after, why_placed
from ruxue.cohort.run import NO_SEAT, Seat
from tests.support.cohort import NORTH, SOUTH

NAMES = {NORTH.code: "平江实验学校", SOUTH.code: "沧浪实验小学"}
LINES = {NORTH.code: "A类 2018-06-01", SOUTH.code: None}


def test_a_catchment_seat_names_the_category_the_school_and_its_line() -> None:
    seat = Seat("1", NORTH.code, "catchment")
    text = why_placed(seat, "A", NORTH.code, NAMES, LINES)
    assert text == "按A类在施教区学校平江实验学校获得学位（该校录取线：A类 2018-06-01）。"


def test_an_overflow_seat_says_the_catchment_was_full_and_the_district_placed_it() -> None:
    text = why_placed(Seat("1", SOUTH.code, "overflow"), "B", NORTH.code, NAMES, LINES)
    assert "平江实验学校学位已满（录取线：A类 2018-06-01）" in text
    assert "统筹安排到沧浪实验小学（统筹学位）" in text


def test_no_seat_says_the_district_arranges_one_and_keeps_the_earlier_reasons() -> None:
    seat = Seat("1", None, None, NO_SEAT)
    assert "区教育局将为孩子另行安排学位" in why_placed(seat, "C", NORTH.code, NAMES, LINES)
    assert reasons_after(seat, ["SEAT_LOCKED"]) == ["SEAT_LOCKED", NO_SEAT]
    assert reasons_after(Seat("1", NORTH.code, "catchment"), ["SEAT_LOCKED", NO_SEAT]) == [
        "SEAT_LOCKED"
    ]


def test_a_school_whose_seats_were_not_all_taken_says_so() -> None:
    text = why_placed(Seat("1", SOUTH.code, "catchment"), "C", SOUTH.code, NAMES, LINES)
    assert OPEN in text
