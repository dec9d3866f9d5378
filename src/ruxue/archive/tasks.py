"""Archive as you go: a job per decided case, queued after the commit that decided it. A job that
dies mid-build leaves only a scratch directory; huey retries it and the build starts afresh."""

import asyncio

import structlog
from huey import crontab
from sqlalchemy import select

from ruxue.archive.build import build_package
from ruxue.archive.scanner import clamav
from ruxue.archive.service import recheck_all
from ruxue.archive.storage import library_from
from ruxue.enrollment.models import Case
from ruxue.kit.db import Database
from ruxue.kit.queue import huey
from ruxue.kit.sm2 import SealKey
from ruxue.settings import get_settings

log = structlog.get_logger("archive")


FINAL = ("notice_issued", "rejected")


async def _build(case_no: str) -> str | None:
    """The package of a case whose decision is final; None while it is not (review, materials)."""
    settings = get_settings()
    db = Database(settings.resolved_database_url())
    try:
        async with db.read_session() as session:
            case = (
                await session.scalars(select(Case).where(Case.case_no == case_no))
            ).one_or_none()
        if case is None or case.outcome not in FINAL:
            return None
        scratch = settings.var_dir / "archive-build"
        scratch.mkdir(parents=True, exist_ok=True)
        scanner = clamav(settings.clamav_database) if settings.clamav_database else None
        package = await build_package(db, library_from(settings), scratch, SealKey.load_or_create(settings.seal_key_file),
                                      case.id, settings.public_url, scanner)  # fmt: skip
        return package.archive_no
    finally:
        await db.dispose()


@huey.task(retries=5, retry_delay=60)
def build(case_no: str) -> str | None:
    number = asyncio.run(_build(case_no))
    log.info("archived", case_no=case_no, archive_no=number)
    return number


def archive_soon(case_no: str) -> None:
    """After the commit that decided a case: queue its package. A queue that is down leaves the
    case to ``ruxue archive build CASE_NO``."""
    try:
        build(case_no)
    except Exception as exc:
        log.warning("could not queue archive build", case_no=case_no, error=str(exc))


async def _recheck() -> dict[str, int]:
    settings = get_settings()
    db = Database(settings.resolved_database_url())
    try:
        scanner = clamav(settings.clamav_database) if settings.clamav_database else None
        async with db.write_session() as session:
            return await recheck_all(session, library_from(settings), "LTP", scanner)
    finally:
        await db.dispose()


@huey.periodic_task(crontab(hour="2", minute="30"))
def recheck() -> dict[str, int]:
    """Nightly 四性检测 of every stored package (long-term preservation stage); every run recorded."""
    counts = asyncio.run(_recheck())
    (log.error if counts["failed"] else log.info)("archive recheck", **counts)
    return counts
