"""A county's cases moved through their stages without the departments: for the demo's county and
the end-to-end run (``scripts/county_run.py``). Each step goes through the trace as staff actions
do (``enrollment.repository.add_event``), so the outbox hook sees exactly what a real case makes."""

import hashlib

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.enrollment import repository as repo
from ruxue.enrollment.models import Case
from ruxue.kit.clock import now_of

DISTRICT = "320506"
FIRST = {0: "notice_issued", 1: "rejected", 2: "manual_review", 3: "manual_review"}


async def step(session: AsyncSession, case_no: str, wave: int, i: int) -> None:
    """Wave 1 submits and decides; wave 2 reviews what waits (materials asked, or approved);
    wave 3 settles what still waits (materials complete, or withdrawn)."""
    if wave == 1:
        case = _new(case_no, i)
        session.add(case)
        await session.flush()
        await _move(session, case, "submit", FIRST[i % 4], "guardian:demo")
        await repo.add_event(session, case, "system", "decide")
        return
    case = (
        await session.scalars(select(Case).where(Case.case_no == case_no).with_for_update())
    ).one()
    if wave == 2 and case.status == "manual_review":
        status, action = (
            ("needs_materials", "review_request_materials")
            if i % 4 == 2
            else ("notice_issued", "review_approve")
        )
        await _move(session, case, action, status, "staff:reviewer")
    elif wave == 3 and case.status == "needs_materials":
        if i % 8 == 2:
            await _move(session, case, "withdraw", "withdrawn", "guardian:demo")
        else:
            await _move(session, case, "materials_complete", "notice_issued", "system")
            await repo.add_event(session, case, "system", "decide")


def _new(case_no: str, i: int) -> Case:
    child = hashlib.sha256(f"demo-child-{case_no}".encode()).hexdigest()
    return Case(
        case_no=case_no,
        year=2026,
        segment="primary",
        channel="online",
        status="draft",
        step=7,
        district_code=DISTRICT,
        guardian_index=child[::-1],
        guardian_enc="",
        child_index=child,
        child_enc="",
        child_name_masked=f"学生{i}",
    )


async def _move(session: AsyncSession, case: Case, action: str, status: str, actor: str) -> None:
    case.status = status
    case.outcome = None if status == "withdrawn" else status
    case.submitted_at = case.submitted_at or now_of(session)
    await session.flush()
    await repo.add_event(session, case, actor, action)
