"""The app's two times, in one module.

* The app's clock (``Settings.clock``: fixed in demos and tests by ``RUXUE_NOW``): every time a
  person reads beside the app's other dates — registration windows, deadlines, a case's events,
  dashboard figures. Handlers take it as ``NowDep``; services read ``now_of(session)``, the clock
  the unit of work carries (``Database`` puts the settings' clock there); jobs get it the same way.
* The wall clock (``utcnow``): times that must run as real time even in a demo — token and
  session lifetimes, rate windows, leases, breakers. (The call log's ``at`` is the app's clock:
  the data tracker shows it beside the case's dates; its order is its chain's sequence.)

Nothing else asks the system for the time.
"""

import datetime as dt
from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncSession

Clock = Callable[[], dt.datetime]
CLOCK_KEY = "clock"  # where a session's ``info`` carries the app's clock


def utcnow() -> dt.datetime:
    """The wall clock, in UTC."""
    return dt.datetime.now(dt.UTC)


def fixed_or_wall(fixed: dt.datetime | None) -> dt.datetime:
    """The app's clock of a configuration: its fixed time if it has one, otherwise the wall clock."""
    return fixed or utcnow()


def now_of(session: AsyncSession) -> dt.datetime:
    """The app's clock, as carried by the unit of work ``session`` belongs to."""
    clock: Clock = session.info.get(CLOCK_KEY, utcnow)
    return clock()
