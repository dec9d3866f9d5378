"""Working-day arithmetic across holiday tables, 调休 weekends and year ends; rating rules."""

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ruxue.rating import rules
from ruxue.rating.rules import (
    CHINA,
    Calendar,
    CalendarMissing,
    add_working_days,
    due_at,
    escalation_level,
    shipped_calendar,
    working_days_between,
)

YEARS = (2026, 2027)
days_2026_27 = st.dates(dt.date(2026, 1, 1), dt.date(2027, 11, 30))


@st.composite
def calendars(draw: st.DrawFn) -> Calendar:
    """Random holiday tables for 2026-2027: some weekdays off, some weekends worked."""
    every = st.dates(dt.date(2026, 1, 1), dt.date(2027, 12, 31))
    off = draw(st.frozensets(every.filter(lambda d: d.weekday() < 5), max_size=40))
    worked = draw(st.frozensets(every.filter(lambda d: d.weekday() >= 5), max_size=15))
    return Calendar(frozenset(YEARS), off, worked)


def brute_force(cal: Calendar, start: dt.date, n: int) -> dt.date:
    day, seen = start, 0
    while seen < n:
        day += dt.timedelta(days=1)
        if cal.is_working(day):
            seen += 1
    return day


@settings(max_examples=300)
@given(calendars(), days_2026_27, st.integers(0, 20))
def test_the_nth_working_day_is_working_and_counts_back(
    cal: Calendar, start: dt.date, n: int
) -> None:
    due = add_working_days(cal, start, n)
    assert working_days_between(cal, start, due) == n
    if n:
        assert cal.is_working(due)
        assert working_days_between(cal, start, due - dt.timedelta(days=1)) == n - 1
    assert due == brute_force(cal, start, n)


@given(calendars(), days_2026_27, st.integers(0, 10), st.integers(0, 10))
def test_adding_working_days_composes(cal: Calendar, start: dt.date, a: int, b: int) -> None:
    assert add_working_days(cal, add_working_days(cal, start, a), b) == add_working_days(
        cal, start, a + b
    )


@given(calendars(), days_2026_27, st.integers(0, 15))
def test_more_days_off_never_bring_a_deadline_forward(
    cal: Calendar, start: dt.date, n: int
) -> None:
    monday_off = Calendar(cal.years, cal.holidays | {start + dt.timedelta(days=1)}, cal.workdays)
    assert add_working_days(monday_off, start, n) >= add_working_days(cal, start, n)


@given(calendars(), st.dates(dt.date(2026, 12, 20), dt.date(2026, 12, 31)), st.integers(1, 15))
def test_deadlines_cross_the_year_end(cal: Calendar, start: dt.date, n: int) -> None:
    due = add_working_days(cal, start, n)
    year_end = dt.date(2026, 12, 31)
    before = working_days_between(cal, start, min(due, year_end))
    assert before + working_days_between(cal, year_end, due) == n
    assert (due > year_end) == (working_days_between(cal, start, year_end) < n)


def test_a_year_without_a_table_is_refused_in_chinese() -> None:
    cal = shipped_calendar()
    with pytest.raises(CalendarMissing, match="2028年"):
        add_working_days(cal, dt.date(2027, 12, 28), 10)


def test_the_2026_table_knows_spring_festival_and_its_adjusted_saturdays() -> None:
    cal = shipped_calendar()
    assert cal.is_working(dt.date(2026, 2, 14))  # Saturday, 调休上班
    assert not cal.is_working(dt.date(2026, 2, 16))  # Monday, 春节
    assert add_working_days(cal, dt.date(2026, 2, 13), 2) == dt.date(2026, 2, 24)
    assert cal.is_working(dt.date(2026, 10, 10))  # Saturday after 国庆
    assert add_working_days(cal, dt.date(2026, 9, 30), 1) == dt.date(2026, 10, 8)
    assert add_working_days(cal, dt.date(2026, 12, 31), 1) == dt.date(2027, 1, 4)  # 元旦 2027


def test_due_at_is_the_end_of_the_beijing_working_day() -> None:
    cal = shipped_calendar()
    friday_evening = dt.datetime(2026, 6, 12, 14, 0, tzinfo=dt.UTC)  # 22:00 in Beijing
    due = due_at(cal, friday_evening, 1)
    assert due.astimezone(CHINA) == dt.datetime(
        2026, 6, 16, 0, 0, tzinfo=CHINA
    )  # Monday, end of day
    assert escalation_level(cal, due, due - dt.timedelta(seconds=1)) == 0
    assert escalation_level(cal, due, due) == 1
    assert escalation_level(cal, due, dt.datetime(2026, 6, 16, 4, 0, tzinfo=dt.UTC)) == 1
    assert escalation_level(cal, due, dt.datetime(2026, 6, 17, 4, 0, tzinfo=dt.UTC)) == 2


@given(
    st.integers(-2, 7),
    st.dictionaries(
        st.sampled_from(["整体满意度", "服务效率", "服务水平", "服务态度", "x"]), st.integers(0, 6)
    ),
)
def test_only_complete_valid_ratings_pass(level: int, indicators: dict[str, int]) -> None:
    s = rules.settings()
    valid = (
        level in s.levels
        and set(indicators) == set(s.indicators["desk"])
        and all(v in s.levels for v in indicators.values())
    )
    try:
        rules.check_rating(s, "desk", level, indicators)
    except rules.RuxueError:
        assert not valid
    else:
        assert valid


def test_an_unrated_case_counts_as_basically_satisfied_after_seven_days() -> None:
    s = rules.settings()
    decided = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    assert rules.effective_level(s, None, decided, decided + dt.timedelta(days=6, hours=23)) is None
    assert rules.effective_level(s, None, decided, decided + dt.timedelta(days=7)) == 3
    assert rules.effective_level(s, 1, decided, decided + dt.timedelta(days=30)) == 1
