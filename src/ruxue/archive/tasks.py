"""Archive as you go: a job per decided case, queued after the commit that decided it. A job that
fails mid-build leaves only a scratch directory and huey retries it; a job lost with its worker
(killed after taking it) or never queued is found by the sweep, which builds what is missing."""

import datetime as dt
import shutil
import time

import structlog
from huey import crontab
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.archive.build import build_package
from ruxue.archive.failures import MAX_ATTEMPTS, failure_of, gave_up, record_failure
from ruxue.archive.repository import FINAL, supersede, unarchived
from ruxue.archive.scanner import clamav
from ruxue.archive.service import recheck_all
from ruxue.archive.storage import library_from
from ruxue.cases.lifecycle import Transition
from ruxue.cases.models import Case
from ruxue.cases.status import Action
from ruxue.kit.clock import utcnow
from ruxue.kit.db import Database, enqueue_after_commit
from ruxue.kit.queue import job, job_settings, periodic_job, run_in_worker
from ruxue.kit.sm2 import SealKey

log = structlog.get_logger("archive")


async def build_case(db: Database, case_no: str, force: bool = False) -> str | None:
    """The package of a case whose decision is final; None while it is not (review, materials)
    or, unless forced (``ruxue archive build``), once its filing failed ``MAX_ATTEMPTS`` times.
    A failed attempt is counted and raised (the job retries) until the bound, where it stops
    with an error log."""
    settings = job_settings()
    async with db.read_session() as session:
        case = (await session.scalars(select(Case).where(Case.case_no == case_no))).one_or_none()
        failure = await failure_of(session, case.id) if case is not None else None
    if case is None or case.outcome not in FINAL or (gave_up(failure) and not force):
        return None
    scratch = settings.var_dir / "archive-build"
    scratch.mkdir(parents=True, exist_ok=True)
    scanner = clamav(settings.clamav_database) if settings.clamav_database else None
    seal = SealKey.load_or_create(settings.seal_key_file)
    try:
        package = await build_package(
            db,
            library_from(settings),
            scratch,
            seal,
            case.id,
            settings.public_url,
            scanner,
            settings.clock(),
        )
    except Exception as exc:
        if gave_up(await record_failure(db, case, exc)) and not force:
            return None  # the bound: no more retries, the archivist's page lists it
        raise
    return package.archive_no


@job(retries=5, retry_delay=60)
def build(case_no: str) -> str | None:
    number = run_in_worker(lambda db: build_case(db, case_no))
    if number:
        log.info("archived", case_no=case_no, archive_no=number)
    return number


async def on_transition(session: AsyncSession, transition: Transition) -> None:
    """A subscriber of the case lifecycle: a case decided for good is filed; a revoked notice's
    package is marked superseded (the library keeps it; a later decision files the new state)."""
    if transition.action == Action.REVOKE:
        await supersede(session, transition.case, transition.now)
    archive_when_final(session, transition.case)


def archive_when_final(session: AsyncSession, case: Case) -> None:
    """A case decided for good gets its package built once this transaction commits. A queue that
    is down then leaves the case to the sweep (or ``ruxue archive build CASE_NO``)."""
    if case.outcome in FINAL:
        enqueue_after_commit(session, build, case.case_no)


async def _recheck(db: Database) -> dict[str, int]:
    settings = job_settings()
    scanner = clamav(settings.clamav_database) if settings.clamav_database else None
    return await recheck_all(db, library_from(settings), "LTP", scanner)


@periodic_job(crontab(hour="2", minute="30"))
def recheck() -> dict[str, int]:
    """Nightly 四性检测 of every stored package (long-term preservation stage); every run recorded."""
    counts = run_in_worker(_recheck)
    (log.error if counts["failed"] else log.info)("archive recheck", **counts)
    return counts


async def sweep_unarchived(
    db: Database, grace: dt.timedelta = dt.timedelta(minutes=5)
) -> list[str]:
    """Build the packages of cases decided more than ``grace`` ago that have none, and clear
    scratch directories of builds that died more than an hour ago."""
    scratch = job_settings().var_dir / "archive-build"
    for stale in scratch.glob(".tmp-*") if scratch.is_dir() else ():
        if time.time() - stale.stat().st_mtime > 3600:
            shutil.rmtree(stale, ignore_errors=True)
    async with db.read_session() as session:
        missing = await unarchived(session, utcnow() - grace, MAX_ATTEMPTS)
    built = []
    for case_no in missing:
        try:
            if number := await build_case(db, case_no):
                built.append(number)
        except Exception:  # counted by build_case; the next case is not held up by this one
            continue
    return built


@periodic_job(crontab(minute="*/5"))
def sweep() -> list[str]:
    built = run_in_worker(sweep_unarchived)
    if built:
        log.warning("archived cases whose job was lost", count=len(built), archive_nos=built[:20])
    return built
