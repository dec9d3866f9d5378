"""Withdrawing a draft ends every consent of the case in one read of them (not one per consent); a
consent already withdrawn keeps its time; a submitted case cannot be withdrawn."""

import datetime as dt
import uuid

import pytest
from sqlalchemy import event, select
from sqlalchemy.engine import Engine

from ruxue.cases.models import Case
from ruxue.enrollment import service
from ruxue.exchange.models import Consent
from ruxue.identity.service import Guardian
from ruxue.kit import pii
from ruxue.kit.db import Database
from ruxue.kit.errors import RuxueError
from ruxue.policy.facts import Facts, write_facts
from tests.support.builders import YEAR, person
from tests.support.personas import WANG, WANG_CHILD

EARLIER = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)


def _consent(consent_id: str, case_no: str, withdrawn_at: dt.datetime | None) -> Consent:
    return Consent(
        id=consent_id,
        grantor_index=pii.blind_index(WANG),
        grantor_enc=pii.encrypt(WANG),
        subjects_index=[],
        subjects_enc=[],
        departments=[],
        fields=[],
        purpose="enrollment",
        case_no=case_no,
        expires_at=EARLIER + dt.timedelta(days=90),
        withdrawn_at=withdrawn_at,
    )


async def _draft(db: Database, consents: int, status: str = "draft") -> str:
    """A case of WANG's with ``consents`` consents, the first already withdrawn; its number."""
    case_no, ids = f"SZ-W-{uuid.uuid4().hex[:8]}", [str(uuid.uuid4()) for _ in range(consents)]
    people = {
        "guardian_index": pii.blind_index(WANG),
        "guardian_enc": pii.encrypt(WANG),
        "child_index": pii.blind_index(WANG_CHILD),
        "child_enc": pii.encrypt(WANG_CHILD),
    }
    case = Case(
        case_no=case_no, year=YEAR, segment="primary", status=status, consent_ids=ids, **people
    )
    family = {"guardian": person(dt.date(1988, 3, 1)), "child": person(dt.date(2019, 9, 1))}
    write_facts(case, Facts(year=YEAR, segment="primary", **family))
    async with db.write_session() as session:
        for n, consent_id in enumerate(ids):
            session.add(_consent(consent_id, case_no, EARLIER if n == 0 else None))
        session.add(case)
    return case_no


async def test_withdrawal_ends_every_consent_in_one_read(db: Database) -> None:
    case_no = await _draft(db, 4)
    reads: list[str] = []

    def count(conn: object, cursor: object, statement: str, *_: object) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "FROM consent" in statement:
            reads.append(statement)

    event.listen(Engine, "before_cursor_execute", count)
    try:
        async with db.write_session() as session:
            case = await service.withdraw(session, Guardian(WANG, "王", "acr"), case_no)
    finally:
        event.remove(Engine, "before_cursor_execute", count)
    assert case.status == "withdrawn"
    assert len(reads) == 1, reads
    async with db.read_session() as session:
        ended = (await session.scalars(select(Consent).where(Consent.case_no == case_no))).all()
    times = sorted(c.withdrawn_at for c in ended if c.withdrawn_at is not None)
    assert len(times) == 4 and times[0] == EARLIER and times[1] > EARLIER  # the first kept its time


async def test_a_submitted_case_is_not_withdrawn(db: Database) -> None:
    case_no = await _draft(db, 1, status="manual_review")
    with pytest.raises(RuxueError, match=r"网上不能撤回.*请联系.*电话"):
        async with db.write_session() as session:
            await service.withdraw(session, Guardian(WANG, "王", "acr"), case_no)
