"""Shared test support moved from tests/exchange/test_client.py (imported by other test modules)."""

from ruxue.exchange.client import (
    CallContext,
)
from ruxue.exchange.envelope import DEPARTMENTS
from ruxue.exchange.models import Consent
from ruxue.exchange.service import (
    envelope_consent,
    grant_consent,
)
from ruxue.kit.db import Database

GUARDIAN, SPOUSE, CHILD = "320508198801010110", "320508199002020421", "320508201910150213"


async def _consent(db: Database, subjects: list[str] = [GUARDIAN, CHILD]) -> Consent:  # noqa: B006
    async with db.write_session() as session:
        return await grant_consent(
            session,
            grantor=GUARDIAN,
            subjects=subjects,
            departments=list(DEPARTMENTS),
            fields=["hukou", "property"],
            purpose="ENROLLMENT",
            case_no="RX2026TEST",
        )


async def _ctx(db: Database, subjects: list[str] = [GUARDIAN, CHILD]) -> CallContext:  # noqa: B006
    return CallContext(
        case_no="RX2026TEST",
        operator=GUARDIAN,
        consents=(envelope_consent(await _consent(db, subjects)),),
    )
