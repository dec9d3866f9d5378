"""District review: the queue of cases that wait for a person, and what a reviewer may do."""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import and_, or_
from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.cases import lifecycle
from ruxue.cases.models import Case
from ruxue.cases.repository import staff_case, visible_to_staff
from ruxue.cases.status import WAITING, Action
from ruxue.kit.errors import Forbidden, NotFound, RuxueError
from ruxue.materials.supplement import AlreadyHandled
from ruxue.policy.explain import CATEGORIES, MATERIALS, REVIEW_REJECTED, STATUSES
from ruxue.policy.facts import read_facts, write_facts
from ruxue.policy.loader import load_policy
from ruxue.policy.rules import NEEDS_MATERIALS, NOTICE, REJECTED, Decision, missing_materials, place
from ruxue.reference.repository import get_school, school_refs
from ruxue.staff.auth import Staff, require
from ruxue.staff.service import audit


@dataclass(frozen=True)
class Note:
    """A reviewer's words: ``message`` for the guardian, ``internal`` (内部意见) for staff only."""

    message: str = ""
    internal: str = ""

    @classmethod
    def of(cls, message: str, internal: str) -> "Note":
        return cls(message.strip(), internal.strip())


async def queue(session: AsyncSession, staff: Staff) -> Sequence[Case]:
    require(staff, "reviewer", "admin")
    query = visible_to_staff(staff).where(Case.status.in_(WAITING)).order_by(Case.submitted_at)
    return (await session.scalars(query)).all()


class MaterialsMissing(RuxueError):
    status_code = 409
    code = "materials_missing"


async def _case(session: AsyncSession, staff: Staff, case_no: str) -> Case:
    """The case to act on, locked: a second submission of the same action waits for the first and
    is then told it was handled, with no second event or SMS."""
    require(staff, "reviewer", "admin")
    case = await staff_case(session, staff, case_no, lock=True)
    if case is None:
        raise NotFound("办件不存在或不在您的辖区")
    if case.status not in WAITING:
        status = STATUSES.get(case.status, case.status)
        raise AlreadyHandled(f"已处理：该办件已审核（{status}），无需重复操作。")
    return case


def still_missing(case: Case) -> list[str]:
    """What a reviewer is told before approving: each required material not yet given."""
    facts = read_facts(case)
    return [
        MATERIALS[m]["name"]
        + ("（监护人将携带原件，尚未核验）" if m in facts.bring else "（尚未提供）")
        for m in missing_materials(facts)
    ]


async def approve(
    session: AsyncSession,
    staff: Staff,
    now: dt.datetime,
    case_no: str,
    school_code: str,
    category: str | None,
    note: Note,
) -> Case:
    """Place the child (统筹 placement) in a school of the reviewer's district; never while a
    required material is missing."""
    if category is not None and category not in CATEGORIES:
        raise RuxueError("入学顺位只能是A类、B类、C类、D类，或留空（统筹安排）。", field="category")
    case = await _case(session, staff, case_no)
    if missing := still_missing(case):
        raise MaterialsMissing(
            f"以下材料尚未提供，不能审核通过：{'、'.join(missing)}。可一次性告知补充材料，或不予通过。"
        )
    school = await get_school(session, school_code)
    if (
        school is None
        or school.segment != case.segment
        or (staff.role == "reviewer" and school.district_code != staff.district_code)
    ):
        raise RuxueError("只能安排到本区同学段的学校")
    explanation = f"经区教育局审核，安排至{school.name}。{note.message}".strip()
    decision = Decision(outcome=NOTICE, school_code=school.code, school_name=school.name, category=category,
                        reasons=["REVIEW_APPROVED"], explanation=explanation)  # fmt: skip
    return await _decide(session, staff, now, case, decision, Action.APPROVE, note)


async def reject(
    session: AsyncSession, staff: Staff, now: dt.datetime, case_no: str, note: Note
) -> Case:
    """``note.message`` is the reason the guardian is told (required)."""
    if not note.message:
        raise RuxueError("请填写告知监护人的不予通过理由", field="message")
    case = await _case(session, staff, case_no)
    decision = Decision(
        outcome=REJECTED,
        reasons=["REVIEW_REJECTED"],
        explanation=f"{REVIEW_REJECTED}{note.message}",
    )
    return await _decide(session, staff, now, case, decision, Action.REJECT, note)


async def request_materials(
    session: AsyncSession,
    staff: Staff,
    now: dt.datetime,
    case_no: str,
    materials: list[str],
    note: Note,
) -> Case:
    """Tell-once: every material still needed, in one request. A material asked for is needed
    again even if it was uploaded (the copy did not do); the rules then count it as missing."""
    if not materials or set(materials) - set(MATERIALS):
        raise RuxueError("请选择需要补充的材料", field="materials")
    case = await _case(session, staff, case_no)
    facts = read_facts(case)
    if case.status == NEEDS_MATERIALS and set(materials) <= set(missing_materials(facts)):
        raise AlreadyHandled("已处理：已告知监护人补充这些材料，无需重复操作。")
    facts.requested |= set(materials)
    for given in (facts.uploaded, facts.provided, facts.bring):
        given -= set(materials)
    write_facts(case, facts)
    missing = missing_materials(facts)
    names = "、".join(MATERIALS[m]["name"] for m in missing)
    policy = load_policy(case.year, case.district_code or "")
    school = place(policy, facts, await school_refs(session)).school  # where originals may go
    decision = Decision(
        outcome=NEEDS_MATERIALS,
        missing=missing,
        reasons=case.reasons,
        school_code=school.code if school else None,
        school_name=school.name if school else None,
        explanation=f"区教育局请您一次补齐以下材料：{names}。{note.message}".strip(),
    )
    return await _decide(session, staff, now, case, decision, Action.REQUEST_MATERIALS, note)


async def _decide(
    session: AsyncSession,
    staff: Staff,
    now: dt.datetime,
    case: Case,
    decision: Decision,
    action: Action,
    note: Note,
) -> Case:
    """The guardian is told ``note.message`` (page, API); the internal note stays with staff
    (trace, audit). The SMS carries neither: it points to the page."""
    await lifecycle.review(
        session,
        case,
        decision,
        action,
        staff.actor,
        now,
        message=note.message,
        internal_note=note.internal,
        outcome=decision.outcome,
        school_code=decision.school_code,
        missing=decision.missing,
    )
    await audit(session, staff, action, target=case.case_no, internal_note=note.internal)
    return case


async def school_list(
    session: AsyncSession, staff: Staff, school_code: str, filters: dict[str, str] | None = None
) -> Sequence[Case]:
    require(staff, "desk", "reviewer", "admin")
    if staff.role == "desk" and staff.school_code != school_code:
        raise Forbidden("只能导出本校的报名名单")
    # placed at the school, or handled by its desk and not (yet) placed anywhere (under review)
    unplaced = and_(Case.school_code.is_(None), Case.desk_school == school_code)
    at_school = or_(Case.school_code == school_code, unplaced)
    query = visible_to_staff(staff).where(at_school)
    for field, value in (filters or {}).items():
        if field in ("segment", "category", "channel", "status") and value:
            query = query.where(getattr(Case, field) == value)
    return (await session.scalars(query.order_by(Case.category, Case.case_no))).all()
