"""Every minute the integrity ledger's pending digests are chained; every 15 minutes the heads of
the logs are signed and exported outside the database (the ledger chained first); an export
identical to one already written (a fixed clock, nothing new) is left as it was."""

import structlog
from huey import crontab

from ruxue.audit.service import HeadsExists, chain_pending, signed_heads, write_heads
from ruxue.kit.db import Database
from ruxue.kit.queue import job_settings, periodic_job, run_in_worker
from ruxue.kit.sm2 import SealKey

log = structlog.get_logger("audit")


async def export(db: Database) -> str:
    settings = job_settings()
    seal = SealKey.load_or_create(settings.seal_key_file)
    await chain_pending(db)  # the heads then cover every write committed so far
    async with db.read_session() as session:
        document = await signed_heads(session, seal, settings.clock())
    try:
        return write_heads(document, settings.heads_dir).name
    except HeadsExists as exc:
        return str(exc)


@periodic_job(crontab(minute="*/15"))
def export_heads() -> str:
    name = run_in_worker(export)
    log.info("log heads exported", file=name)
    return name


@periodic_job(crontab(minute="*"))
def chain_ledger() -> int:
    """The pending digests of every app process, chained (a backlog of a busy minute takes a
    few transactions of ``CHAIN_BATCH``)."""
    moved = run_in_worker(chain_pending)
    if moved:
        log.info("integrity ledger chained", entries=moved)
    return moved
