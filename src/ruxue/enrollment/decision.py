"""A decision of the rules, recorded the same way in every channel (online, kiosk, desk, materials
completed), through the case lifecycle (``cases.lifecycle.decide``): the outcome on the case, a
final document's number and the trace; the e-licence, the archive package and the SMS are the
lifecycle's subscribers'. Under a district-year's cohort keys the decision is the cohort rules'
(``cohort.service.record``): in an ``allocation`` district an eligible case is qualified."""

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.cases.lifecycle import TraceEvent, notice_no, rejection_no
from ruxue.cases.models import Case
from ruxue.cohort import service as cohort
from ruxue.policy.facts import Facts
from ruxue.policy.rules import Decision
from ruxue.policy.service import Checked

__all__ = ["TraceEvent", "notice_no", "record_decision", "rejection_no"]


async def record_decision(
    session: AsyncSession,
    case: Case,
    facts: Facts,
    decision: Decision,
    now: dt.datetime,
    *events: TraceEvent,
    checked: Checked | None = None,
) -> None:
    """A decision of the rules, the same in every channel: the channel's own events come first in
    the trace, then the ``decide`` (or ``qualify``) event and the final document's. ``checked``:
    the version of the cohort policy in force, read with the case."""
    await cohort.record(session, case, facts, decision, now, *events, checked=checked)
