"""The send rate rule: at most one a minute and five in any 24 hours per key."""

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from ruxue.identity.rules import DAY, MIN_GAP, PER_DAY, send_wait, wait_text

NOW = dt.datetime(2026, 6, 15, 2, 0, tzinfo=dt.UTC)


def test_first_send_goes_and_the_next_waits_a_minute() -> None:
    assert send_wait([], NOW) == 0
    assert send_wait([NOW - dt.timedelta(seconds=20)], NOW) == 40
    assert send_wait([NOW - MIN_GAP], NOW) == 0


def test_the_sixth_send_of_a_day_waits_for_the_oldest_to_age_out() -> None:
    sent = [NOW - dt.timedelta(hours=h) for h in (1, 2, 3, 4, 5)]
    assert send_wait(sent, NOW) == 19 * 3600
    assert send_wait([*sent[:-1], NOW - DAY], NOW) == 0  # a day old no longer counts
    assert wait_text(19 * 3600) == "19小时" and wait_text(40) == "40秒"


@given(st.lists(st.integers(min_value=0, max_value=3 * 24 * 3600), max_size=12))
def test_a_send_allowed_now_keeps_both_limits(ago: list[int]) -> None:
    sent = [NOW - dt.timedelta(seconds=s) for s in ago]
    wait = send_wait(sent, NOW)
    later = NOW + dt.timedelta(seconds=wait)
    recent = [t for t in sent if later - t < DAY]
    assert len(recent) < PER_DAY and all(later - t >= MIN_GAP for t in recent)
    assert send_wait(sent, later) == 0
