"""A decision of the rules, recorded the same way in every channel (online, kiosk, desk, materials
completed): the outcome on the case, a final document's number, the trace, the e-licence and the
archive package. The review records its own actions with ``set_outcome`` and ``issue_documents``."""

import datetime as dt
import secrets
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.archive.tasks import archive_when_final
from ruxue.elicence.service import licence_issued
from ruxue.enrollment import repository as repo
from ruxue.enrollment.explain import SEGMENTS
from ruxue.enrollment.models import Case
from ruxue.enrollment.rules import NOTICE, REJECTED, Decision
from ruxue.rating.service import invitation


@dataclass(frozen=True)
class TraceEvent:
    """An event of the channel that comes with a decision, before the rules' own ``decide``."""

    actor: str
    action: str
    detail: dict[str, object] = field(default_factory=dict)


async def record_decision(
    session: AsyncSession, case: Case, decision: Decision, now: dt.datetime, *events: TraceEvent
) -> None:
    """A decision of the rules, the same in every channel: the outcome (and a final document's
    number) on the case, the channel's own events, the ``decide`` event, then the final document.
    The outcome comes first: the county outbox reports the channel's events with it."""
    set_outcome(case, decision, now)
    if case.id is None:  # registered and decided at once (the desk): the licence needs the id
        await session.flush()
    for event in events:
        await repo.add_event(session, case, event.actor, event.action, **event.detail)
    await repo.add_event(
        session,
        case,
        "system",
        "decide",
        outcome=decision.outcome,
        reasons=decision.reasons,
        missing=decision.missing,
        school_code=decision.school_code,
        category=decision.category,
    )
    await issue_documents(session, case)


def set_outcome(case: Case, decision: Decision, now: dt.datetime) -> None:
    """The decision on the case; a final one fixes its document's number and verification code."""
    case.outcome = case.status = decision.outcome
    case.school_code, case.category = decision.school_code, decision.category
    case.reasons, case.missing, case.explanation = (
        decision.reasons,
        decision.missing,
        decision.explanation,
    )
    case.submitted_at = case.submitted_at or now  # the app's clock, as the review queue's
    if decision.outcome == NOTICE and case.notice_no is None:
        case.notices = (case.notices or 0) + 1
        case.notice_no = notice_no(case)
        case.verify_code = secrets.token_urlsafe(12)
        case.notice_issued_at = now
    if decision.outcome == REJECTED and case.rejection_no is None:
        case.rejection_no = rejection_no(case)
        case.verify_code = secrets.token_urlsafe(12)
        case.rejected_at = now


async def issue_documents(session: AsyncSession, case: Case) -> None:
    """The final document a decision issued (any channel): its trace event, the e-licence of a
    notice, and the archive package once this transaction commits."""
    if case.outcome == NOTICE:
        await repo.add_event(session, case, "system", "notice_issued", notice_no=case.notice_no)
        await licence_issued(session, case)
    elif case.outcome == REJECTED:
        await repo.add_event(
            session, case, "system", "rejection_issued", rejection_no=case.rejection_no
        )
    archive_when_final(session, case)


def notice_no(case: Case) -> str:
    """The seat notice's number (and its e-licence's), fixed at the decision. A notice issued again
    after a revocation gets a number of its own (``…-2``), so a number names one licence and the
    revoked one stays revoked in the library."""
    first = f"{case.district_code}-{case.year}-{case.case_no[-10:]}"
    return first if case.notices <= 1 else f"{first}-{case.notices}"


def rejection_no(case: Case) -> str:
    """The 不予通过告知书's number, fixed at the decision like the seat notice's."""
    return f"{case.district_code}-{case.year}-BY-{case.case_no[-10:]}"


def status_sms(case: Case) -> str:
    text = f"您为{case.child_name_masked}提交的{SEGMENTS[case.segment]}报名（{case.case_no}）"
    return (
        text
        + {
            "notice_issued": "已办结，公办地段学位告知书已发放，请登录查看。",
            "needs_materials": "需要补充材料，请登录查看一次性告知清单。",
            "manual_review": "已转区教育局人工审核，结果将短信通知。",
            "rejected": "未通过，请登录查看原因。",
        }[case.status]
        + (invitation(case) if case.status in ("notice_issued", "rejected") else "")
    )
