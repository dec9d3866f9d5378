"""Pure rules of district review."""

import datetime as dt

from ruxue.policy.loader import CHINA


def waiting_days(submitted_at: dt.datetime | None, now: dt.datetime) -> int:
    """Whole calendar days (Beijing time) a case has waited since it was submitted, on the app's
    clock; never negative (a case submitted 'after' a demo clock set in the past waited 0 days)."""
    if submitted_at is None:
        return 0
    days = (now.astimezone(CHINA).date() - submitted_at.astimezone(CHINA).date()).days
    return max(days, 0)
