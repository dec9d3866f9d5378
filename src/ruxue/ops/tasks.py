"""Every six hours the chains are verified against the exported signed heads (as ``ruxue audit
verify`` does), so a break raises an alert instead of waiting for someone to look."""

import time

import structlog
from huey import crontab

from ruxue.audit.service import read_exported, verify_all
from ruxue.kit.db import Database
from ruxue.kit.queue import job_settings, periodic_job, run_in_worker
from ruxue.kit.sm2 import SealKey
from ruxue.ops import metrics

log = structlog.get_logger("ops")


async def verify(db: Database) -> list[str]:
    settings = job_settings()
    exported = read_exported(settings.heads_dir)
    async with db.read_session() as session:
        return await verify_all(session, exported, SealKey.load_or_create(settings.seal_key_file))


def record(problems: list[str]) -> None:
    metrics.AUDIT_PROBLEMS.set(len(problems))
    metrics.AUDIT_VERIFIED_AT.set(time.time())
    for problem in problems[:20]:
        log.error("audit chain verification", problem=problem)


@periodic_job(crontab(hour="*/6", minute="10"))
def verify_chains() -> int:
    problems = run_in_worker(verify)
    record(problems)
    return len(problems)
