"""A county's cases moved through their stages without the departments: for the demo's county and
the end-to-end run (``scripts/county_run.py``). Each step goes through the trace as staff actions
do (``cases.lifecycle``), so the outbox subscriber sees exactly what a real case makes."""

import hashlib

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.cases import lifecycle
from ruxue.cases.lifecycle import TraceEvent
from ruxue.cases.models import Case
from ruxue.cases.status import Action, Status
from ruxue.kit.clock import now_of
from ruxue.policy.rules import Decision

DRAFT, NEEDS_MATERIALS, MANUAL_REVIEW = Status.DRAFT, Status.NEEDS_MATERIALS, Status.MANUAL_REVIEW
NOTICE_ISSUED, REJECTED = Status.NOTICE_ISSUED, Status.REJECTED
DISTRICT = "320506"
FIRST = {0: NOTICE_ISSUED, 1: REJECTED, 2: MANUAL_REVIEW, 3: MANUAL_REVIEW}
REVIEWER, GUARDIAN = "staff:reviewer", "guardian:demo"


async def step(session: AsyncSession, case_no: str, wave: int, i: int) -> None:
    """Wave 1 submits and decides; wave 2 reviews what waits (materials asked, or approved);
    wave 3 settles what still waits (materials complete, or withdrawn). Every move goes through
    the case lifecycle, so the outbox sees exactly what a real case makes."""
    now = now_of(session)
    if wave == 1:
        case = _new(case_no, i)
        session.add(case)
        await session.flush()
        submit = TraceEvent(GUARDIAN, "submit")
        await lifecycle.decide(session, case, Decision(outcome=FIRST[i % 4]), now, submit)
        return
    case = (
        await session.scalars(select(Case).where(Case.case_no == case_no).with_for_update())
    ).one()
    if wave == 2 and case.status == MANUAL_REVIEW:
        action = Action.REQUEST_MATERIALS if i % 4 == 2 else Action.APPROVE
        status = NEEDS_MATERIALS if i % 4 == 2 else NOTICE_ISSUED
        await lifecycle.review(session, case, Decision(outcome=status), action, REVIEWER, now)
    elif wave == 3 and case.status == NEEDS_MATERIALS:
        if i % 8 == 2:
            await lifecycle.withdraw(session, case, GUARDIAN, now)
        else:
            complete = TraceEvent("system", "materials_complete")
            await lifecycle.decide(session, case, Decision(outcome=NOTICE_ISSUED), now, complete)


def _new(case_no: str, i: int) -> Case:
    child = hashlib.sha256(f"demo-child-{case_no}".encode()).hexdigest()
    return Case(
        case_no=case_no,
        year=2026,
        segment="primary",
        channel="online",
        status=DRAFT,
        step=7,
        district_code=DISTRICT,
        guardian_index=child[::-1],
        guardian_enc="",
        child_index=child,
        child_enc="",
        child_name_masked=f"学生{i}",
    )
