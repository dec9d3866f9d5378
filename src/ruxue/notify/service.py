"""Notifications: an outbox row in the case's transaction; a job sends it after the commit."""

from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.notify.models import Notification

if TYPE_CHECKING:
    from ruxue.enrollment.models import Case


async def queue_sms(session: AsyncSession, case: "Case", text: str) -> Notification:
    note = Notification(
        case_no=case.case_no, recipient_enc=case.phone_enc, text=text, status="pending"
    )
    session.add(note)
    await session.flush()
    return note


def send_soon() -> None:
    """Called after the commit: queue a delivery job. If the queue is down the minute sweep sends."""
    import structlog

    from ruxue.notify.tasks import deliver

    try:
        deliver(None)
    except Exception as exc:  # the row is committed; the periodic sweep will send it
        structlog.get_logger("notify").warning("could not queue delivery", error=str(exc))
