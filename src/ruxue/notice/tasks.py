"""The 不予通过告知书 rendered once, after the commit that rejected the case, and kept: its
downloads, prints and archive package then read the kept bytes. (The seat notice is sealed by its
licence's filing job, ``elicence.tasks.register``.) A reader who comes before the job answers 202;
one who comes after ``Settings.notice_render_after_s`` renders it itself (``notice.service``)."""

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.cases.lifecycle import Transition
from ruxue.cases.models import Case
from ruxue.cases.status import Status
from ruxue.kit.db import Database, enqueue_after_commit
from ruxue.kit.queue import job, job_settings, run_in_worker
from ruxue.notice.service import keep_rejection

log = structlog.get_logger("notice")
ISSUED = "rejection_issued"  # the trace event of the letter (``cases.lifecycle``)


async def keep_letter(db: Database, case_id: int) -> str:
    async with db.write_session() as session:
        case = await session.get(Case, case_id)
        if case is None or case.outcome != Status.REJECTED:
            return "skipped"
        await keep_rejection(session, case, job_settings().public_url)
    return "kept"


@job(retries=3, retry_delay=10)
def keep(case_id: int) -> str:
    outcome = run_in_worker(lambda db: keep_letter(db, case_id))
    log.info("rejection letter", case_id=case_id, outcome=outcome)
    return outcome


async def on_transition(session: AsyncSession, transition: Transition) -> None:
    """A subscriber of the case lifecycle: a rejection's letter is rendered after the commit."""
    if ISSUED in transition.events:
        enqueue_after_commit(session, keep, transition.case.id)
