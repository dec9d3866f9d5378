"""Packages that could not be filed: each attempt is counted, and at ``MAX_ATTEMPTS`` the job and
the sweep stop trying, log an error and leave the case to the archivist, whose library page lists
it with its last error and failing items (``ruxue archive build CASE_NO`` tries again)."""

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.archive.build import FilingFailed, archive_no
from ruxue.archive.check import as_json
from ruxue.archive.models import CheckRun, FilingFailure
from ruxue.cases.models import Case
from ruxue.kit.clock import utcnow
from ruxue.kit.db import Database

MAX_ATTEMPTS = 5
log = structlog.get_logger("archive")


async def failure_of(session: AsyncSession, case_id: int) -> FilingFailure | None:
    query = select(FilingFailure).where(FilingFailure.case_id == case_id)
    return (await session.scalars(query)).one_or_none()


def gave_up(failure: FilingFailure | None) -> bool:
    return failure is not None and failure.attempts >= MAX_ATTEMPTS


async def record_failure(db: Database, case: Case, exc: Exception) -> FilingFailure:
    """Count the attempt; a failed check is also a failed GD check run, so no page says passed."""
    number = archive_no(case)
    failing = as_json(exc.items) if isinstance(exc, FilingFailed) else []
    error = f"{type(exc).__name__}: {exc}"[:2000]
    async with db.write_session() as session:
        failure = await failure_of(session, case.id)
        if failure is None:
            failure = FilingFailure(case_id=case.id, case_no=case.case_no, archive_no=number)
            session.add(failure)
        failure.attempts = (failure.attempts or 0) + 1
        failure.last_error, failure.failing, failure.last_at = error, failing, utcnow()
        if isinstance(exc, FilingFailed):
            session.add(CheckRun(archive_no=number, stage="GD", passed=False, results=failing))
    if gave_up(failure):
        log.error(
            "archive filing gave up",
            case_no=case.case_no,
            archive_no=number,
            attempts=failure.attempts,
            error=error,
            failing=[i["code"] for i in failing],
        )
    else:
        log.warning(
            "archive filing failed", case_no=case.case_no, attempts=failure.attempts, error=error
        )
    return failure
