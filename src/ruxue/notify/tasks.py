"""Send pending notifications. Queued after the commit that wrote them; a sweep every minute
sends whatever a lost job left behind, so no message is lost."""

import structlog
from huey import crontab
from sqlalchemy import select

from ruxue.kit import pii
from ruxue.kit.db import Database, utcnow
from ruxue.kit.queue import huey, run_in_worker
from ruxue.notify.gateway import SmsGateway
from ruxue.notify.models import Notification
from ruxue.settings import get_settings

log = structlog.get_logger("notify")
MAX_ATTEMPTS = 10


async def send_pending(db: Database, gateway: SmsGateway, ids: list[int] | None = None) -> int:
    sent = 0
    async with db.write_session() as session:
        query = select(Notification).where(
            Notification.status == "pending", Notification.attempts < MAX_ATTEMPTS
        )
        if ids is not None:
            query = query.where(Notification.id.in_(ids))
        for note in (await session.scalars(query.order_by(Notification.id).limit(500))).all():
            note.attempts += 1
            phone = pii.decrypt(note.recipient_enc) if note.recipient_enc else ""
            if not phone:
                note.status = "no_phone"
                continue
            try:
                await gateway.send(phone, note.text)
            except Exception as exc:  # the gateway is down: keep it pending, try later
                log.warning("sms failed", case_no=note.case_no, error=str(exc))
                continue
            note.status, note.sent_at = "sent", utcnow()
            sent += 1
    return sent


async def _send(db: Database, ids: list[int] | None) -> int:
    return await send_pending(db, SmsGateway(get_settings().sms_url), ids)


@huey.task(retries=3, retry_delay=30)
def deliver(ids: list[int] | None) -> int:
    return run_in_worker(lambda db: _send(db, ids))


@huey.periodic_task(crontab(minute="*"))
def sweep() -> int:
    return run_in_worker(lambda db: _send(db, None))
