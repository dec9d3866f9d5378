"""The transactional outbox of a county system: every stage of its own cases becomes a row in the
same transaction as the case's move that made it (``reporter`` is a subscriber of the case
lifecycle, wired in county mode only), so a stage committed is a stage that will reach the city, and a rolled-back one never
does. The relay (``relay.py``) sends the rows later, with no transaction open while it waits."""

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.cases.lifecycle import Subscriber, Transition
from ruxue.cases.models import Case
from ruxue.county.models import OutboxRow
from ruxue.county.rules import ITEM_CODE, ITEM_VERSION, stages_of
from ruxue.county.tasks import relay_now
from ruxue.kit.clock import now_of
from ruxue.kit.db import enqueue_after_commit
from ruxue.settings import Settings


def reporter(settings: Settings) -> Subscriber:
    """The subscriber that reports the stages of every move (``settings``: a county's)."""

    async def report(session: AsyncSession, transition: Transition) -> None:
        if not settings.upstream_url:
            return
        for action in transition.events:
            await record(session, transition.case, action, now_of(session))

    return report


async def record(session: AsyncSession, case: Case, action: str, at: dt.datetime) -> None:
    """Outbox rows for the stages ``action`` makes, each with the next data version of its
    (case, stage)."""
    added = False
    for stage, result in stages_of(action, case.status, case.submitted_at is not None):
        last = await session.scalar(
            select(func.max(OutboxRow.data_version)).where(
                OutboxRow.case_no == case.case_no, OutboxRow.stage == stage
            )
        )
        if stage == "accept" and last:
            continue  # accepted once; later decisions are 办理 or 办结
        version = (last or 0) + 1
        session.add(
            OutboxRow(
                case_no=case.case_no,
                stage=stage,
                data_version=version,
                payload=payload(case, stage, result, at, version),
            )
        )
        added = True
    if added:
        await session.flush()
        enqueue_after_commit(session, relay_now)  # the sweep sends them if the queue is down


def payload(
    case: Case, stage: str, result: str, at: dt.datetime, version: int
) -> dict[str, object]:
    """The report of one stage, in the shape of the city's case-report API."""
    return {
        "case_no": case.case_no,
        "item_code": ITEM_CODE,
        "item_version": ITEM_VERSION,
        "district_code": case.district_code or "",
        "stage": stage,
        "stage_at": at.astimezone(dt.UTC).isoformat(),
        "unit": case.desk_school or case.school_code or case.district_code or "",
        "result": result,
        "data_version": version,
        "data_state": 1,  # 0 (作废) voids a record; a withdrawal is a result, not a void
    }
