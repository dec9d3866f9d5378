"""Notifications: an outbox row in the case's transaction; a job sends it after the commit."""

from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.kit.db import enqueue_after_commit
from ruxue.notify.models import Notification
from ruxue.notify.tasks import deliver

if TYPE_CHECKING:
    from ruxue.enrollment.models import Case


async def queue_sms(session: AsyncSession, case: "Case", text: str) -> Notification:
    """The row, and a delivery job once the transaction commits (if the queue is down then, the
    minute sweep sends it)."""
    note = Notification(
        case_no=case.case_no, recipient_enc=case.phone_enc, text=text, status="pending"
    )
    session.add(note)
    await session.flush()
    enqueue_after_commit(session, deliver, None)
    return note
