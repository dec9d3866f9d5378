"""Rate limits: pure arithmetic, and the shared counter over the database."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ruxue.kit.db import Database
from ruxue.kit.ratelimit import Limit, TooManyRequests, retry_after, take

LIMIT = Limit("t", 3, dt.timedelta(minutes=10))
T0 = dt.datetime(2026, 6, 15, 2, 0, tzinfo=dt.UTC)


@given(st.integers(min_value=1, max_value=20), st.integers(min_value=0, max_value=599))
def test_retry_after_until_the_window_ends(count: int, into: int) -> None:
    now = T0 + dt.timedelta(seconds=into)
    wait = retry_after(count, LIMIT, T0, now)
    if count <= LIMIT.count:
        assert wait is None
    else:
        assert (
            wait is not None
            and 1 <= wait <= 600
            and now + dt.timedelta(seconds=wait) >= T0 + LIMIT.window
        )


async def test_counter_over_the_database(db: Database) -> None:
    for _ in range(3):
        await take(db, LIMIT, "someone", T0)
    with pytest.raises(TooManyRequests) as refused:
        await take(db, LIMIT, "someone", T0 + dt.timedelta(minutes=4))
    assert refused.value.headers["Retry-After"] == "360"
    await take(db, LIMIT, "someone else", T0)  # another subject has its own count
    await take(
        db, LIMIT, "someone", T0 + dt.timedelta(minutes=10)
    )  # the window opened at T0 is over
    for _ in range(2):  # the new window opened at T0 + 10 min
        await take(db, LIMIT, "someone", T0 + dt.timedelta(minutes=19))
    with pytest.raises(TooManyRequests):
        await take(db, LIMIT, "someone", T0 + dt.timedelta(minutes=19))
