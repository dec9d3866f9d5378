"""Scheduled work of the exchange: re-verify the call log's hash chains every hour."""

import asyncio

import structlog
from huey import crontab

from ruxue.exchange.repository import verify_chains
from ruxue.kit.db import Database
from ruxue.kit.queue import job_settings, periodic_job

log = structlog.get_logger("exchange")


async def _verify() -> list[str]:
    db = Database(job_settings().resolved_database_url())
    try:
        async with db.read_session() as session:
            return await verify_chains(session)
    finally:
        await db.dispose()


@periodic_job(crontab(minute="7"))
def verify_call_log() -> list[str]:
    problems = asyncio.run(_verify())
    if problems:
        log.error("call log tampered", problems=problems[:20], count=len(problems))
    else:
        log.info("call log verified")
    return problems
