"""Sending the SMS outbox: rows claimed before the gateway is called, no transaction open across the
call, each message sent once however many senders run; jobs queued only when the unit of work
commits. Against the sandbox's SMS gateway over HTTP, on SQLite or PostgreSQL."""

import asyncio
import datetime as dt
import uuid

import httpx
import pytest
from huey import Huey
from sqlalchemy import TextClause, select, text, update

from ruxue.cases.models import Case
from ruxue.kit import pii
from ruxue.kit.clock import utcnow
from ruxue.kit.db import Database
from ruxue.notify.gateway import SmsGateway
from ruxue.notify.models import Notification
from ruxue.notify.service import queue_sms
from ruxue.notify.tasks import send_pending
from tests.support.helpers import ServerThread

PHONE = "13912345678"


async def _outbox(db: Database, count: int) -> str:
    """``count`` pending messages whose texts carry one fresh token; the token."""
    token = uuid.uuid4().hex[:8]
    async with db.write_session() as session:
        for n in range(count):
            session.add(Notification(case_no=f"C{n}", recipient_enc=pii.encrypt(PHONE),
                                     text=f"{token}-{n:03d}", status="pending"))  # fmt: skip
    return token


async def _delivered(sandbox: ServerThread, token: str) -> list[str]:
    async with httpx.AsyncClient(base_url=sandbox.url) as http:
        messages = (await http.get("/_sandbox/sms", params={"phone": PHONE})).json()
    texts = [m["text"].removeprefix("【苏州市入学一件事】") for m in messages]  # the signature
    return sorted(t for t in texts if t.startswith(token))


async def test_senders_running_at_once_send_each_message_once(
    db: Database, database_url: str, sandbox: ServerThread
) -> None:
    token = await _outbox(db, 40)
    senders = [Database(database_url) for _ in range(3)]  # as three worker processes would
    gateway = MeetingGateway(f"{sandbox.url}/_sandbox/sms", asyncio.Barrier(3))
    try:
        counts = await asyncio.gather(*(send_pending(s, gateway, batch=4) for s in senders))
    finally:
        for s in senders:
            await s.dispose()
    assert sum(counts) == 40 and all(counts)  # every sender took a share, together all of them
    assert await _delivered(sandbox, token) == [f"{token}-{n:03d}" for n in range(40)]
    async with db.read_session() as session:
        rows = (await session.execute(select(Notification.status, Notification.attempts))).all()
    assert set(rows) == {("sent", 1)}
    assert await send_pending(db, SmsGateway(gateway.url)) == 0  # a sent one is never taken again


class MeetingGateway(SmsGateway):
    """The sandbox gateway; the first messages wait until every sender holds a claim, so the
    senders surely run at the same time."""

    def __init__(self, url: str, barrier: asyncio.Barrier) -> None:
        super().__init__(url)
        self.barrier, self.waiting = barrier, 0

    async def send(self, phone: str, text: str, key: str | None = None) -> None:
        if self.waiting < self.barrier.parties:  # a sender waits here, so these are all different
            self.waiting += 1
            async with asyncio.timeout(10):
                await self.barrier.wait()
        await super().send(phone, text, key)


async def test_a_claim_whose_lease_is_over_is_taken_again_a_live_one_is_not(
    db: Database, sandbox: ServerThread
) -> None:
    token = await _outbox(db, 2)
    async with db.write_session() as session:
        ids = (await session.scalars(select(Notification.id).order_by(Notification.id))).all()
        now = utcnow()
        for note_id, until in zip(
            ids, (now - dt.timedelta(seconds=1), now + dt.timedelta(minutes=5)), strict=True
        ):
            claim = update(Notification).where(Notification.id == note_id)
            await session.execute(claim.values(claimed_by="a dead sender", claimed_until=until))
    assert await send_pending(db, SmsGateway(f"{sandbox.url}/_sandbox/sms")) == 1
    assert await _delivered(sandbox, token) == [f"{token}-000"]


class WritingGateway(SmsGateway):
    """The sandbox gateway; before each message another connection writes to the database, which
    would wait (and here fail) if the sender held a write transaction across the call."""

    def __init__(self, url: str, other: Database) -> None:
        super().__init__(url)
        self.other = other

    async def send(self, phone: str, text: str, key: str | None = None) -> None:
        async with asyncio.timeout(5), self.other.write_session() as session:
            await session.execute(text_update(text))
        await super().send(phone, text, key)


def text_update(sms_text: str) -> TextClause:
    return text("UPDATE notification SET text = text WHERE text = :t").bindparams(t=sms_text)


async def test_the_gateway_is_called_with_no_transaction_open(
    db: Database, database_url: str, sandbox: ServerThread
) -> None:
    token = await _outbox(db, 3)
    other = Database(database_url)
    try:
        gateway = WritingGateway(f"{sandbox.url}/_sandbox/sms", other)
        assert await send_pending(db, gateway) == 3
    finally:
        await other.dispose()
    assert len(await _delivered(sandbox, token)) == 3


class Killed(BaseException):
    """The worker killed: nothing after this runs, as with SIGKILL."""


class DyingGateway(SmsGateway):
    """The sandbox gateway takes the message; the sender dies before it writes that down."""

    async def send(self, phone: str, text: str, key: str | None = None) -> None:
        await super().send(phone, text, key)
        raise Killed


async def test_a_sender_killed_after_the_gateway_took_the_message_does_not_text_twice(
    db: Database, sandbox: ServerThread
) -> None:
    token = await _outbox(db, 1)
    url = f"{sandbox.url}/_sandbox/sms"
    with pytest.raises(Killed):
        await send_pending(db, DyingGateway(url))
    async with db.write_session() as session:  # the lease runs out, the sweep takes it again
        await session.execute(update(Notification).values(claimed_until=utcnow()))
    assert await send_pending(db, SmsGateway(url)) == 1
    assert await _delivered(sandbox, token) == [f"{token}-000"]
    async with db.read_session() as session:
        rows = (await session.execute(select(Notification.status, Notification.attempts))).all()
    assert rows == [("sent", 2)]


async def test_the_gateway_answers_a_repeated_key_with_its_first_answer(
    sandbox: ServerThread,
) -> None:
    token, key = uuid.uuid4().hex[:8], f"key-{uuid.uuid4().hex}"
    message = {"phone": PHONE, "text": f"{token}-once"}
    async with httpx.AsyncClient(base_url=sandbox.url, headers={"Idempotency-Key": key}) as http:
        first, again = [await http.post("/_sandbox/sms", json=message) for _ in range(2)]
        other = await http.post("/_sandbox/sms", json={**message, "text": f"{token}-other"})
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json() and first.json()["message_id"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert other.status_code == 422 and other.json()["error"] == "key_reused"
    assert await _delivered(sandbox, token) == [f"{token}-once"]


async def test_jobs_are_queued_after_the_commit_and_dropped_on_rollback(
    db: Database, test_queue: Huey
) -> None:
    case = Case(case_no="C-after-commit", phone_enc=pii.encrypt(PHONE))
    test_queue.flush()
    try:
        async with db.write_session() as session:
            await queue_sms(session, case, "rolled back")
            assert test_queue.pending_count() == 0  # nothing before the commit
            raise RuntimeError("the request failed")
    except RuntimeError:
        pass
    assert test_queue.pending_count() == 0
    async with db.read_session() as session:
        assert (await session.scalars(select(Notification))).all() == []
    async with db.write_session() as session:
        await queue_sms(session, case, "one")
        await queue_sms(session, case, "two")
    pending = test_queue.pending()
    assert [t.name for t in pending] == ["deliver"]  # one job for the commit
    test_queue.flush()
