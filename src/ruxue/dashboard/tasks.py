"""Materialise the dashboard's aggregates every five minutes."""

import structlog
from huey import crontab

from ruxue.dashboard.service import refresh
from ruxue.kit.db import Database
from ruxue.kit.queue import periodic_job, run_in_worker

log = structlog.get_logger("dashboard")


async def refresh_all(db: Database) -> int:
    async with db.write_session() as session:
        return await refresh(session)


@periodic_job(crontab(minute="*/5"))
def refresh_job() -> int:
    rows = run_in_worker(refresh_all)
    log.info("dashboard refreshed", rows=rows)
    return rows
