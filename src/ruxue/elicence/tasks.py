"""The e-licence library's side of a notice, after the commit: file the signed PDF when a notice is
issued, revoke it when the decision is reversed. Each job retries while the library is down; a
licence already filed or revoked is left alone, so a job run twice does nothing twice."""

import base64
import datetime as dt

import structlog
from huey import crontab
from sqlalchemy import select, update

from ruxue.cases.models import Case
from ruxue.elicence import repository as licences
from ruxue.elicence.models import PENDING, REGISTERED, REVOKED, REVOKING, Licence
from ruxue.exchange.client import NO_RECORD, OK, Ask, CallContext, ExchangeClient
from ruxue.kit.clock import utcnow
from ruxue.kit.db import Database
from ruxue.kit.queue import job, job_settings, periodic_job, run_in_worker
from ruxue.notice.service import sealed_notice
from ruxue.policy.facts import read_facts
from ruxue.settings import Settings

log = structlog.get_logger("elicence")
ISSUE = "LICENCE_ISSUE"


class LibraryDown(Exception):
    """The library did not answer; the job retries."""


async def _ask(db: Database, settings: Settings, case_no: str, ask: Ask) -> str:
    client = ExchangeClient(settings, db)
    try:
        answer = await client.ask(CallContext(case_no, "system:elicence", (), ISSUE), ask)
    finally:
        await client.aclose()
    if answer.outcome not in (OK, NO_RECORD):
        raise LibraryDown(f"{ask.service}: {answer.outcome} {answer.error or ''}")
    return answer.outcome


async def register_licence(db: Database, licence_id: int) -> str:
    """File a pending licence: the notice's signed bytes (sealed now if no download sealed them
    first), its signature and the published key's id."""
    settings = job_settings()
    async with db.write_session() as session:
        licence = await licences.by_id(session, licence_id)
        if licence is None or licence.status != PENDING:
            return "skipped"
        case = await session.get(Case, licence.case_id)
        assert case is not None
        sealed = await sealed_notice(session, case, settings.seal_key_file, settings.public_url)
        pdf, signature_hex = sealed.pdf or b"", sealed.signature_hex
        key_id, signed_at = sealed.key_id, sealed.signed_at
    assert signed_at is not None
    child = read_facts(case).child
    body = {
        "licence_no": licence.licence_no,
        "type": "公办地段学位告知书",
        "holder_id_number": child.id_number,
        "holder_name": child.name,
        "issuer": licence.issuer,
        "pdf_base64": base64.b64encode(pdf).decode(),
        "signature_hex": signature_hex,
        "key_id": key_id,
        "signed_at": signed_at.isoformat(),
    }
    await _ask(db, settings, case.case_no, Ask("elicence.register", body))
    async with db.write_session() as session:
        done = await session.scalar(
            update(Licence)
            .where(Licence.id == licence_id, Licence.status == PENDING)
            .values(status=REGISTERED, registered_at=utcnow())
            .returning(Licence.id)
        )
    if done is None:  # revoked while we were filing: the library must not keep it valid
        await revoke_licence(db, licence_id)
    return REGISTERED


async def revoke_licence(db: Database, licence_id: int) -> str:
    settings = job_settings()
    async with db.read_session() as session:
        licence = await licences.by_id(session, licence_id)
    if licence is None or licence.status not in (REVOKING, REVOKED):
        return "skipped"
    body = {"licence_no": licence.licence_no, "reason": licence.revoke_reason}
    await _ask(db, settings, licence.licence_no, Ask("elicence.revoke", body))
    async with db.write_session() as session:
        await session.execute(
            update(Licence).where(Licence.id == licence_id).values(status=REVOKED)
        )
    return REVOKED


@job(retries=5, retry_delay=30)
def register(licence_id: int) -> str:
    outcome = run_in_worker(lambda db: register_licence(db, licence_id))
    log.info("licence filed", licence_id=licence_id, outcome=outcome)
    return outcome


@job(retries=5, retry_delay=30)
def revoke(licence_id: int) -> str:
    outcome = run_in_worker(lambda db: revoke_licence(db, licence_id))
    log.info("licence revoked", licence_id=licence_id, outcome=outcome)
    return outcome


async def sweep_licences(db: Database, grace: dt.timedelta = dt.timedelta(minutes=5)) -> list[str]:
    """File or revoke what a lost job left undone (the queue was down at the commit, or a job
    gave up while the library was down): every licence still pending or revoking after ``grace``."""
    since = utcnow() - grace
    async with db.read_session() as session:
        rows = (
            await session.execute(
                select(Licence.id, Licence.status).where(
                    Licence.status.in_((PENDING, REVOKING)),
                    Licence.issued_at < since,
                )
            )
        ).all()
    done: list[str] = []
    for licence_id, status in rows:
        try:
            work = register_licence if status == PENDING else revoke_licence
            done.append(f"{licence_id}:{await work(db, licence_id)}")
        except LibraryDown as exc:  # still down: the next sweep tries again
            log.warning("licence sweep", licence_id=licence_id, error=str(exc))
    return done


@periodic_job(crontab(minute="*/10"))
def sweep() -> list[str]:
    return run_in_worker(sweep_licences)
