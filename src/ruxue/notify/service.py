"""Notifications: an outbox row in the case's transaction; a job sends it after the commit."""

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.cases.lifecycle import Subscriber, Transition
from ruxue.cases.status import FINAL, Action, Status
from ruxue.kit.db import enqueue_after_commit
from ruxue.notify import rules
from ruxue.notify.models import Notification
from ruxue.notify.tasks import deliver

if TYPE_CHECKING:
    from ruxue.cases.models import Case


async def queue_sms(session: AsyncSession, case: "Case", text: str) -> Notification:
    """The row, and a delivery job once the transaction commits (if the queue is down then, the
    minute sweep sends it)."""
    return await queue_text(session, case.case_no, case.phone_enc, text)


async def queue_text(
    session: AsyncSession, ref: str, recipient_enc: str, text: str
) -> Notification:
    """Any SMS: the outbox row in the caller's transaction and its job after the commit. ``ref``
    names what it is about (a case or a guardianship request number)."""
    note = Notification(case_no=ref, recipient_enc=recipient_enc, text=text, status="pending")
    session.add(note)
    await session.flush()
    enqueue_after_commit(session, deliver, None)
    return note


STATUS_TEXT = {
    Status.NOTICE_ISSUED: "已办结，{school}学位告知书已发放，请登录查看报到时间、地点和要带的材料。",
    Status.NEEDS_MATERIALS: "需要补充材料，请{deadline}登录查看一次性告知清单并补齐。",
    Status.MANUAL_REVIEW: "已转区教育局人工审核，结果将短信通知。",
    Status.REJECTED: "未通过，请登录查看原因和复核方式。",
    Status.QUALIFIED: "资格审核通过，录取结果公布后将短信通知，请登录查看入学类别。",
}
NO_SEAT_TEXT = (
    "经全区学位分配，施教区学校和统筹学校均无剩余学位，区教育局将另行安排学位，请留意短信。"
)
TOLD = (
    Action.DECIDE,
    Action.APPROVE,
    Action.REJECT,
    Action.REQUEST_MATERIALS,
    Action.QUALIFY,
    Action.PLACE,
)


def case_url(public_url: str, case: "Case") -> str:
    return f"{public_url}/cases/{case.case_no}"


def status_sms(
    case: "Case",
    public_url: str,
    school: str | None = None,
    deadline: dt.datetime | None = None,
) -> str:
    """The one text of a decision's SMS: what happened, the school and the deadline where they
    apply, and the link; a final one invites a rating when the gateway's limit leaves room."""
    from ruxue.policy.explain import SEGMENTS
    from ruxue.rating.service import invitation

    head = f"您为{case.child_name_masked}提交的{SEGMENTS[case.segment]}报名（{case.case_no}）"
    told = NO_SEAT_TEXT if "NO_SEAT" in case.reasons else STATUS_TEXT[Status(case.status)]
    told = told.format(
        school=school or "公办地段",
        deadline=f"于{deadline.month}月{deadline.day}日前" if deadline else "尽快",
    )
    text = f"{head}{told}办件：{case_url(public_url, case)}"
    rated = f"{text} {invitation(public_url, case)}"
    return rated if case.status in FINAL and rules.fits(rated) else text


def revoked_sms(case: "Case", public_url: str = "") -> str:
    link = f"办件：{case_url(public_url, case)}" if public_url else ""
    return (
        f"您为{case.child_name_masked}办理的报名（{case.case_no}）的学位告知书已撤销，"
        f"办件转区教育局重新审核，请登录查看。{link}"
    )


async def _school_name(session: AsyncSession, case: "Case") -> str | None:
    from ruxue.reference.repository import school_name  # the schools this process holds

    return await school_name(session, case.school_code) if case.school_code else None


def _deadline(case: "Case") -> dt.datetime | None:
    """The end of the registration window, the last moment to answer online (if the district's
    policy names one)."""
    from ruxue.policy.loader import load_policy

    try:
        policy = load_policy(case.year, case.district_code or "")
        window = policy.windows[case.segment]  # type: ignore[index]
    except (KeyError, FileNotFoundError, ValueError):
        return None
    return window.bounds(case.year)[1]


async def decision_sms(session: AsyncSession, case: "Case", public_url: str) -> str:
    if case.status == Status.NOTICE_ISSUED:
        return status_sms(case, public_url, school=await _school_name(session, case))
    if case.status == Status.NEEDS_MATERIALS:
        return status_sms(case, public_url, deadline=_deadline(case))
    return status_sms(case, public_url)


def notifier(public_url: str) -> Subscriber:
    """The subscriber of the case lifecycle that tells the family of every decision and
    revocation (``public_url``: the system's, for the rating link). A case registered at the desk
    gets the desk's own text instead (``desk.service``)."""

    async def on_transition(session: AsyncSession, transition: Transition) -> None:
        case = transition.case
        if transition.action == Action.REVOKE:
            await queue_sms(session, case, revoked_sms(case, public_url))
        elif transition.action in TOLD and "desk_consent" not in transition.events:
            await queue_sms(session, case, await decision_sms(session, case, public_url))

    return on_transition
