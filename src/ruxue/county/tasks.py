"""The relay as jobs on a county system (``RUXUE_UPSTREAM_URL`` set): queued after each commit
that wrote outbox rows, and a sweep every minute."""

import structlog
from huey import crontab

from ruxue.county.relay import Tally, Upstream, run
from ruxue.kit.db import Database
from ruxue.kit.queue import job, job_settings, periodic_job, run_in_worker

log = structlog.get_logger("county")


async def relay_once(db: Database) -> Tally:
    settings = job_settings()
    upstream = Upstream(settings)
    try:
        return await run(db, upstream, settings)
    finally:
        await upstream.aclose()


def _relay() -> dict[str, int]:
    if not job_settings().upstream_url:
        return {}
    tally = run_in_worker(relay_once)
    if tally.sent or tally.failed or tally.dead:
        log.info(
            "county relay", sent=tally.sent, stale=tally.stale, failed=tally.failed, dead=tally.dead
        )
    return {"sent": tally.sent, "stale": tally.stale, "failed": tally.failed, "dead": tally.dead}


@job()
def relay_now() -> dict[str, int]:
    """Queued after a commit that wrote outbox rows: the city hears of a stage within seconds."""
    return _relay()


@periodic_job(crontab(minute="*"))
def relay() -> dict[str, int]:
    """The sweep: whatever a lost job or a city that was down left behind."""
    return _relay()
