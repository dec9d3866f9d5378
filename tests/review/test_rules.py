"""Waiting days of the review queue: Beijing calendar days on the app's clock, never negative."""

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from ruxue.review.rules import waiting_days

UTC = dt.UTC


def test_days_are_counted_in_beijing_calendar_days() -> None:
    submitted = dt.datetime(2026, 6, 14, 15, 30, tzinfo=UTC)  # 06-14 23:30 in Beijing
    assert waiting_days(submitted, dt.datetime(2026, 6, 14, 16, 5, tzinfo=UTC)) == 1  # 06-15 00:05
    assert waiting_days(submitted, dt.datetime(2026, 6, 14, 15, 59, tzinfo=UTC)) == 0
    assert waiting_days(submitted, dt.datetime(2026, 6, 21, 2, 0, tzinfo=UTC)) == 7


def test_a_submission_after_the_clock_waited_zero_days_not_minus() -> None:
    real = dt.datetime(2026, 11, 29, 21, 0, tzinfo=UTC)
    demo_clock = dt.datetime(2026, 6, 15, 2, 0, tzinfo=UTC)
    assert waiting_days(real, demo_clock) == 0
    assert waiting_days(None, demo_clock) == 0


@given(
    st.datetimes(min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2030, 1, 1)),
    st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(days=400)),
)
def test_waiting_grows_with_the_clock(start: dt.datetime, waited: dt.timedelta) -> None:
    submitted = start.replace(tzinfo=UTC)
    days = waiting_days(submitted, submitted + waited)
    assert days >= 0
    assert waited.days <= days <= waited.days + 1
    assert waiting_days(submitted, submitted + waited + dt.timedelta(days=1)) == days + 1
