"""Send pending notifications. Queued after the commit that wrote them; a sweep every minute
sends whatever a lost job left behind, so no message is lost.

A sender first claims its rows (one short transaction, ``kit.db.lease_claim``), then calls the
gateway with no transaction open, then writes each result in a transaction of its own. Two senders
never take the same row; a row whose sender died is taken again once its lease is over; a sent row
is never taken again. A sender that died after the gateway took a message but before writing it
down leaves the row to be sent again: every call carries the row's ``Idempotency-Key``, so the
gateway sends it once."""

import datetime as dt
import uuid

import structlog
from huey import crontab
from sqlalchemy import Row, and_, update

from ruxue.kit import pii
from ruxue.kit.clock import utcnow
from ruxue.kit.db import Database, lease_claim
from ruxue.kit.queue import job, job_settings, periodic_job, run_in_worker
from ruxue.notify.gateway import SmsGateway, gateway_of
from ruxue.notify.models import Notification

log = structlog.get_logger("notify")
MAX_ATTEMPTS = 10
BATCH = 100
LEASE = dt.timedelta(minutes=10)  # far longer than a batch of gateway calls (10 s timeout each)


Claimed = Row[int, str, str, str, dt.datetime]  # id, recipient_enc, text, case_no, created_at


def idempotency_key(note_id: int, created_at: dt.datetime) -> str:
    """The same for every attempt at one row; the creation time keeps ids reused after the
    database was set up again (a demo reset) from meeting the gateway's memory of old ones."""
    return f"ruxue-sms-{note_id}-{created_at.astimezone(dt.UTC):%Y%m%dT%H%M%S%fZ}"


async def send_pending(
    db: Database, gateway: SmsGateway, ids: list[int] | None = None, batch: int = BATCH
) -> int:
    """Claim a batch, send it, write the results; again with the rows after it, until none is left.
    A row tried once in this run is not tried again by it (a gateway that is down waits for the
    next run)."""
    sender, after, sent = f"sender-{uuid.uuid4().hex[:16]}", 0, 0
    while claimed := await claim(db, sender, ids, after, batch):
        for note in claimed:
            status = await _send_one(gateway, note)
            await _record(db, sender, note.id, status)
            sent += status == "sent"
        after = claimed[-1].id
    return sent


async def claim(
    db: Database, sender: str, ids: list[int] | None, after: int, batch: int
) -> list[Claimed]:
    """Up to ``batch`` sendable rows after id ``after``, taken by ``sender`` for the lease."""
    due = and_(
        Notification.status == "pending",
        Notification.attempts < MAX_ATTEMPTS,
        Notification.id > after,
    )
    if ids is not None:
        due = and_(due, Notification.id.in_(ids))
    taken = lease_claim(Notification, due, utcnow(), LEASE, batch, claimed_by=sender).returning(
        Notification.id,
        Notification.recipient_enc,
        Notification.text,
        Notification.case_no,
        Notification.created_at,
    )
    async with db.write_session() as session:
        return sorted((await session.execute(taken)).all())


async def _send_one(gateway: SmsGateway, note: Claimed) -> str:
    phone = pii.decrypt(note.recipient_enc) if note.recipient_enc else ""
    if not phone:
        return "no_phone"
    try:
        await gateway.send(phone, note.text, idempotency_key(note.id, note.created_at))
    except Exception as exc:  # the gateway is down: keep it pending, try later
        log.warning("sms failed", case_no=note.case_no, error=str(exc))
        return "pending"
    return "sent"


async def _record(db: Database, sender: str, note_id: int, status: str) -> None:
    row = update(Notification).where(Notification.id == note_id)
    if status == "pending":  # let it go, unless another sender has taken it since
        row = row.where(Notification.claimed_by == sender)
    else:
        row = row.where(Notification.status == "pending").values(status=status)
    if status == "sent":
        row = row.values(sent_at=utcnow())
    async with db.write_session() as session:
        await session.execute(row.values(claimed_by=None, claimed_until=None))


async def _send(db: Database, ids: list[int] | None) -> int:
    return await send_pending(db, gateway_of(job_settings()), ids)


@job(retries=3, retry_delay=30)
def deliver(ids: list[int] | None) -> int:
    return run_in_worker(lambda db: _send(db, ids))


@periodic_job(crontab(minute="*"))
def sweep() -> int:
    return run_in_worker(lambda db: _send(db, None))
