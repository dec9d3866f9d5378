"""The relay as a job: every minute on a county system (``RUXUE_UPSTREAM_URL`` set)."""

import structlog
from huey import crontab

from ruxue.county.relay import Tally, Upstream, run
from ruxue.kit.db import Database
from ruxue.kit.queue import periodic_job, run_in_worker
from ruxue.settings import get_settings

log = structlog.get_logger("county")


async def relay_once(db: Database) -> Tally:
    settings = get_settings()
    upstream = Upstream(settings)
    try:
        return await run(db, upstream, settings)
    finally:
        await upstream.aclose()


@periodic_job(crontab(minute="*"))
def relay() -> dict[str, int]:
    if not get_settings().upstream_url:
        return {}
    tally = run_in_worker(relay_once)
    if tally.sent or tally.failed or tally.dead:
        log.info(
            "county relay", sent=tally.sent, stale=tally.stale, failed=tally.failed, dead=tally.dead
        )
    return {"sent": tally.sent, "stale": tally.stale, "failed": tally.failed, "dead": tally.dead}
