"""The decision pipeline without a case: ``ruxue assess`` and the proactive precheck."""

import uuid
from collections.abc import Sequence

from ruxue.county.routing import routing_of
from ruxue.county.rules import Routing
from ruxue.enrollment.gather import gather_facts
from ruxue.exchange.client import CallContext, ExchangeClient
from ruxue.exchange.envelope import DEPARTMENTS
from ruxue.exchange.service import envelope_consent, grant_consent
from ruxue.kit.db import Database
from ruxue.person.rules import parse_id_number
from ruxue.policy.facts import Facts, SchoolRef
from ruxue.policy.loader import load_policy
from ruxue.policy.rules import Decision, best_residence, decide
from ruxue.precheck.gather_many import Failure, Family, gather_many
from ruxue.reference.repository import school_refs
from ruxue.settings import Settings

SYSTEM = "system:ruxue-precheck"


async def _precheck_context(
    db: Database, settings: Settings, ids: Sequence[str], case_no: str
) -> tuple[CallContext, list[SchoolRef], Routing]:
    """The precheck's consent for these persons (granted under the bureau's mandate), the schools
    and which districts this system takes; one short transaction, before any department is asked."""
    async with db.write_session() as session:
        consent = await grant_consent(
            session, grantor=SYSTEM, subjects=ids, departments=list(DEPARTMENTS), fields=["all"],
            purpose="ENROLLMENT_PRECHECK", case_no=case_no, channel="precheck",
        )  # fmt: skip
        schools = await school_refs(session)
        routing = await routing_of(session, settings)
    ctx = CallContext(
        case_no=case_no,
        operator=SYSTEM,
        consents=(envelope_consent(consent),),
        purpose="ENROLLMENT_PRECHECK",
    )
    return ctx, schools, routing


def decide_facts(facts: Facts, schools: list[SchoolRef], property_cert: str | None) -> Decision:
    policy = load_policy(facts.year, facts.booklets[facts.child.booklet_no].district_code)
    if property_cert is None:
        facts.chosen_cert = best_residence(policy, facts, schools)
    return decide(policy, facts, schools)


async def assess(
    db: Database, client: ExchangeClient, *, year: int, segment: str, guardian: str, child: str,
    spouse: str | None = None, property_cert: str | None = None,
) -> Decision:  # fmt: skip
    ids = [parse_id_number(i).value for i in (guardian, child, *([spouse] if spouse else []))]
    # what the rules would say wherever the child applies: no routing here
    ctx, schools, _ = await _precheck_context(
        db, client.settings, ids, f"PRE-{uuid.uuid4().hex[:12].upper()}"
    )
    facts = await gather_facts(
        client, ctx, year=year, segment=segment, guardian_id=ids[0], child_id=ids[1],
        spouse_id=ids[2] if spouse else None, chosen_cert=property_cert,
    )  # fmt: skip
    return decide_facts(facts, schools, property_cert)


async def assess_many(
    db: Database, client: ExchangeClient, *, year: int, segment: str, families: Sequence[Family]
) -> list[Decision | Failure]:
    """``assess`` for many families at once: one consent naming every person, batched asks. A
    child whose district applies in another system is not assessed (``ServedElsewhere``)."""
    if not families:
        return []
    families = [Family(*(parse_id_number(i).value for i in f.ids)) for f in families]
    ids = sorted({i for f in families for i in f.ids})
    case_no = f"PRE-B-{uuid.uuid4().hex[:12].upper()}"
    ctx, schools, routing = await _precheck_context(db, client.settings, ids, case_no)
    gathered = await gather_many(
        client, ctx, year=year, segment=segment, families=families, routing=routing
    )
    return [decide_facts(f, schools, None) if isinstance(f, Facts) else f for f in gathered]
