"""District review: the queue of cases that wait for a person, and what a reviewer may do."""

import datetime as dt
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.enrollment import repository as repo
from ruxue.enrollment.explain import MATERIALS, REVIEW_REJECTED
from ruxue.enrollment.models import Case
from ruxue.enrollment.rules import NEEDS_MATERIALS, NOTICE, REJECTED, Decision
from ruxue.enrollment.service import document_issued, record_decision, status_sms
from ruxue.kit.errors import Forbidden, NotFound, RuxueError
from ruxue.notify.service import queue_sms
from ruxue.schools.repository import get_school
from ruxue.staff.auth import Staff, require
from ruxue.staff.service import audit

WAITING = ("manual_review", "needs_materials")


async def queue(session: AsyncSession, staff: Staff) -> Sequence[Case]:
    require(staff, "reviewer", "admin")
    query = repo.visible_to_staff(staff).where(Case.status.in_(WAITING)).order_by(Case.submitted_at)
    return (await session.scalars(query)).all()


async def _case(session: AsyncSession, staff: Staff, case_no: str) -> Case:
    require(staff, "reviewer", "admin")
    case = await repo.staff_case(session, staff, case_no)
    if case is None:
        raise NotFound("办件不存在或不在您的辖区")
    if case.status not in WAITING:
        raise RuxueError("该办件当前不需要审核")
    return case


async def approve(
    session: AsyncSession, staff: Staff, now: dt.datetime, case_no: str, school_code: str, category: str | None, note: str,
) -> Case:  # fmt: skip
    """Place the child (统筹 placement) in a school of the reviewer's district."""
    case = await _case(session, staff, case_no)
    school = await get_school(session, school_code)
    if (
        school is None
        or school.segment != case.segment
        or (staff.role == "reviewer" and school.district_code != staff.district_code)
    ):
        raise RuxueError("只能安排到本区同学段的学校")
    explanation = f"经区教育局审核，安排至{school.name}。{note}".strip()
    decision = Decision(outcome=NOTICE, school_code=school.code, school_name=school.name, category=category,
                        reasons=["REVIEW_APPROVED"], explanation=explanation)  # fmt: skip
    return await _decide(session, staff, now, case, decision, "review_approve", note)


async def reject(
    session: AsyncSession, staff: Staff, now: dt.datetime, case_no: str, reason: str
) -> Case:
    if not reason.strip():
        raise RuxueError("请填写不予通过的理由")
    case = await _case(session, staff, case_no)
    decision = Decision(
        outcome=REJECTED,
        reasons=["REVIEW_REJECTED"],
        explanation=f"{REVIEW_REJECTED}{reason}",
    )
    return await _decide(session, staff, now, case, decision, "review_reject", reason)


async def request_materials(
    session: AsyncSession,
    staff: Staff,
    now: dt.datetime,
    case_no: str,
    materials: list[str],
    note: str,
) -> Case:
    """Tell-once: every material still needed, in one request."""
    if not materials or set(materials) - set(MATERIALS):
        raise RuxueError("请选择需要补充的材料")
    case = await _case(session, staff, case_no)
    names = "、".join(MATERIALS[m]["name"] for m in materials)
    decision = Decision(outcome=NEEDS_MATERIALS, missing=materials, reasons=case.reasons,
                        explanation=f"区教育局请您一次补齐以下材料：{names}。{note}".strip())  # fmt: skip
    return await _decide(session, staff, now, case, decision, "review_request_materials", note)


async def _decide(
    session: AsyncSession,
    staff: Staff,
    now: dt.datetime,
    case: Case,
    decision: Decision,
    action: str,
    note: str,
) -> Case:
    record_decision(case, decision, now)
    await repo.add_event(session, case, staff.actor, action, note=note, outcome=decision.outcome,
                         school_code=decision.school_code, missing=decision.missing)  # fmt: skip
    await document_issued(session, case)
    await audit(session, staff, action, target=case.case_no, note=note)
    await queue_sms(session, case, status_sms(case))
    return case


async def school_list(
    session: AsyncSession, staff: Staff, school_code: str, filters: dict[str, str] | None = None
) -> Sequence[Case]:
    require(staff, "desk", "reviewer", "admin")
    if staff.role == "desk" and staff.school_code != school_code:
        raise Forbidden("只能导出本校的报名名单")
    query = repo.visible_to_staff(staff).where(Case.school_code == school_code)
    for field, value in (filters or {}).items():
        if field in ("segment", "category", "channel", "status") and value:
            query = query.where(getattr(Case, field) == value)
    return (await session.scalars(query.order_by(Case.category, Case.case_no))).all()
