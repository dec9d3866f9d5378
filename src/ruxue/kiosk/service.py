"""Terminals, their keys and their print queue. Services flush; the boundary commits."""

import datetime as dt
import secrets
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.cases.models import Case
from ruxue.cases.status import Status
from ruxue.kiosk.models import PRINTED, TAKEN, WAITING, PrintJob, Terminal
from ruxue.kit.crypto import sm3_hex
from ruxue.kit.errors import Conflict, NotFound, RuxueError

JOB_TTL = dt.timedelta(minutes=10)  # the family has left the terminal: the notice is not printed


async def add_terminal(session: AsyncSession, code: str, name: str) -> str:
    """A new terminal; returns its key (shown once, kept by the terminal and its agent)."""
    key = secrets.token_urlsafe(24)
    session.add(Terminal(code=code, name=name, key_hash=sm3_hex(key.encode())))
    await session.flush()
    return key


async def terminal_of(session: AsyncSession, credential: str) -> Terminal | None:
    """The terminal a ``CODE:KEY`` credential names, if the key is its key."""
    code, _, key = credential.partition(":")
    terminal = (await session.scalars(select(Terminal).where(Terminal.code == code))).one_or_none()
    if terminal is None or not secrets.compare_digest(terminal.key_hash, sm3_hex(key.encode())):
        return None
    return terminal


async def queue_print(session: AsyncSession, terminal: Terminal, case: Case) -> PrintJob:
    if not (case.outcome == Status.NOTICE_ISSUED or case.rejection_no):
        raise RuxueError("该办件尚无可打印的告知书")
    job = PrintJob(terminal_id=terminal.id, case_id=case.id, status=WAITING)
    session.add(job)
    await session.flush()
    return job


async def job_of(session: AsyncSession, terminal: Terminal, case: Case, job_id: int) -> PrintJob:
    """A print job of this case at this terminal (what its screen may show)."""
    job = await session.get(PrintJob, job_id)
    if job is None or job.terminal_id != terminal.id or job.case_id != case.id:
        raise NotFound("没有这个打印任务")
    return job


async def waiting(
    session: AsyncSession, terminal: Terminal, now: dt.datetime
) -> Sequence[PrintJob]:
    query = select(PrintJob).where(
        PrintJob.terminal_id == terminal.id,
        PrintJob.status == WAITING,
        PrintJob.created_at > now - JOB_TTL,
    )
    return (await session.scalars(query.order_by(PrintJob.id))).all()


async def take(
    session: AsyncSession, terminal: Terminal, job_id: int, now: dt.datetime
) -> tuple[PrintJob, Case]:
    """The job and its case, for the agent to print once: a second take is refused."""
    job = await session.get(PrintJob, job_id, with_for_update=True)
    if job is None or job.terminal_id != terminal.id or job.created_at <= now - JOB_TTL:
        raise NotFound("没有这个打印任务")
    if job.status != WAITING:
        raise Conflict("该打印任务已取走")
    job.status, job.taken_at = TAKEN, now
    case = await session.get(Case, job.case_id)
    assert case is not None
    return job, case


async def printed(session: AsyncSession, terminal: Terminal, job_id: int, now: dt.datetime) -> None:
    job = await session.get(PrintJob, job_id, with_for_update=True)
    if job is None or job.terminal_id != terminal.id:
        raise NotFound("没有这个打印任务")
    job.status, job.printed_at = PRINTED, now
