"""Back-channel logouts as jobs: queued after each commit that ended county sessions, and a sweep
every minute for what a county that was down (or a lost job) left, which also forgets expired
codes and tokens."""

from collections.abc import Awaitable, Callable

import structlog
from huey import crontab

from ruxue.kit.db import Database
from ruxue.kit.queue import job, job_settings, periodic_job, run_in_worker
from ruxue.provider import grants
from ruxue.provider.logouts import Tally, deliver, prune

log = structlog.get_logger("provider")


async def _deliver(db: Database) -> Tally:
    return await deliver(db, job_settings())


async def _sweep(db: Database) -> Tally:
    await prune(db)
    await grants.prune(db)
    return await deliver(db, job_settings())


def _run(work: Callable[[Database], Awaitable[Tally]] = _deliver) -> dict[str, int]:
    tally = run_in_worker(work)
    if tally.sent or tally.failed or tally.dead:
        log.info("back-channel logouts", sent=tally.sent, failed=tally.failed, dead=tally.dead)
    return {"sent": tally.sent, "failed": tally.failed, "dead": tally.dead}


@job()
def tell_counties() -> dict[str, int]:
    """Queued after a commit that ended county sessions: the counties hear within seconds."""
    return _run()


@periodic_job(crontab(minute="*"))
def tell_counties_sweep() -> dict[str, int]:
    """Retries when they are due, whatever a lost job left; old delivered rows are pruned."""
    return _run(_sweep)
