"""The decision pipeline without a case: ``ruxue assess`` and the proactive precheck."""

import uuid

from ruxue.enrollment.gather import gather_facts
from ruxue.enrollment.policy import load_policy
from ruxue.enrollment.rules import Decision, best_residence, decide
from ruxue.exchange.client import CallContext, ExchangeClient
from ruxue.exchange.envelope import DEPARTMENTS
from ruxue.exchange.service import envelope_consent, grant_consent
from ruxue.kit.db import Database
from ruxue.person.rules import parse_id_number
from ruxue.schools.repository import school_refs

SYSTEM = "system:ruxue-precheck"


async def assess(
    db: Database, client: ExchangeClient, *, year: int, segment: str, guardian: str, child: str,
    spouse: str | None = None, property_cert: str | None = None,
) -> Decision:  # fmt: skip
    ids = [parse_id_number(i).value for i in (guardian, child, *([spouse] if spouse else []))]
    case_no = f"PRE-{uuid.uuid4().hex[:12].upper()}"
    async with db.write_session() as session:
        consent = await grant_consent(
            session, grantor=SYSTEM, subjects=ids, departments=list(DEPARTMENTS), fields=["all"],
            purpose="ENROLLMENT_PRECHECK", case_no=case_no, channel="precheck",
        )  # fmt: skip
        schools = await school_refs(session)
    ctx = CallContext(
        case_no=case_no,
        operator=SYSTEM,
        consents=(envelope_consent(consent),),
        purpose="ENROLLMENT_PRECHECK",
    )
    facts = await gather_facts(
        client, ctx, year=year, segment=segment, guardian_id=ids[0], child_id=ids[1],
        spouse_id=ids[2] if spouse else None, chosen_cert=property_cert,
    )  # fmt: skip
    policy = load_policy(year, facts.booklets[facts.child.booklet_no].district_code)
    if property_cert is None:
        facts.chosen_cert = best_residence(policy, facts, schools)
    return decide(policy, facts, schools)
