"""Rating jobs: hand bad ratings to 12345 as work orders (read, ask, write: no transaction stays
open while 12345 answers), escalate overdue items. Both are sweeps, so a lost job is caught up."""

import structlog
from huey import crontab
from sqlalchemy import select

from ruxue.cases.models import Case
from ruxue.kit import http
from ruxue.kit.db import Database
from ruxue.kit.queue import job_settings, periodic_job, run_in_worker
from ruxue.rating.models import Rating, Rectification
from ruxue.rating.service import escalate_overdue, work_order

log = structlog.get_logger("rating")


async def _pending_orders(db: Database) -> list[tuple[int, dict[str, object]]]:
    query = (
        select(Rectification, Case, Rating)
        .join(Case, Case.id == Rectification.case_id)
        .join(Rating, Rating.id == Rectification.rating_id)
        .where(Rectification.work_order_no.is_(None), Rectification.status != "withdrawn")
        .limit(200)
    )
    async with db.read_session() as session:
        return [
            (item.id, work_order(item, case, r)) for item, case, r in await session.execute(query)
        ]


async def hand_off(db: Database, url: str) -> dict[int, str]:
    """Send every item without a 12345 number; keep the number 12345 acknowledges."""
    acknowledged: dict[int, str] = {}
    async with http.client(timeout=10) as client:
        for item_id, order in await _pending_orders(db):
            answer = await client.post(url, json=order)
            if answer.status_code == 200 and answer.json().get("code") == "0000":
                acknowledged[item_id] = answer.json()["orderNo"]
            else:
                log.warning("12345 refused a work order", item=item_id, status=answer.status_code)
    async with db.write_session() as session:
        for item_id, number in acknowledged.items():
            item = await session.get(Rectification, item_id)
            if item is not None and item.work_order_no is None:
                item.work_order_no = number
    return acknowledged


@periodic_job(crontab(minute="*/5"))
def send_work_orders() -> int:
    url = job_settings().workorder_url
    return len(run_in_worker(lambda db: hand_off(db, url))) if url else 0


async def escalate(db: Database) -> list[int]:
    async with db.write_session() as session:
        return await escalate_overdue(session)


@periodic_job(crontab(minute="*/30"))
def escalate_job() -> list[int]:
    raised = run_in_worker(escalate)
    if raised:
        log.warning("rectification items overdue", count=len(raised), items=raised[:20])
    return raised
