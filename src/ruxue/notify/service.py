"""Notifications: an outbox row in the case's transaction; a job sends it after the commit."""

from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.cases.lifecycle import Subscriber, Transition
from ruxue.cases.status import FINAL, Action, Status
from ruxue.kit.db import enqueue_after_commit
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
    Status.NOTICE_ISSUED: "已办结，公办地段学位告知书已发放，请登录查看。",
    Status.NEEDS_MATERIALS: "需要补充材料，请登录查看一次性告知清单。",
    Status.MANUAL_REVIEW: "已转区教育局人工审核，结果将短信通知。",
    Status.REJECTED: "未通过，请登录查看原因。",
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


def status_sms(case: "Case", public_url: str) -> str:
    """The one text of a decision's SMS; a final one invites a rating."""
    from ruxue.policy.explain import SEGMENTS
    from ruxue.rating.service import invitation

    text = f"您为{case.child_name_masked}提交的{SEGMENTS[case.segment]}报名（{case.case_no}）"
    final = invitation(public_url, case) if case.status in FINAL else ""
    told = NO_SEAT_TEXT if "NO_SEAT" in case.reasons else STATUS_TEXT[Status(case.status)]
    return text + told + final


def revoked_sms(case: "Case") -> str:
    return (
        f"您为{case.child_name_masked}办理的报名（{case.case_no}）的学位告知书已撤销，"
        "办件转区教育局重新审核，请登录查看。"
    )


def notifier(public_url: str) -> Subscriber:
    """The subscriber of the case lifecycle that tells the family of every decision and
    revocation (``public_url``: the system's, for the rating link). A case registered at the desk
    gets the desk's own text instead (``desk.service``)."""

    async def on_transition(session: AsyncSession, transition: Transition) -> None:
        case = transition.case
        if transition.action == Action.REVOKE:
            await queue_sms(session, case, revoked_sms(case))
        elif transition.action in TOLD and "desk_consent" not in transition.events:
            await queue_sms(session, case, status_sms(case, public_url))

    return on_transition
