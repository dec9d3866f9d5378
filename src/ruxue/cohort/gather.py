"""Ask the departments for what the cohort rules read beyond ``domain.md``'s facts, during a
channel's department fetch: the parents' residence permits (police), points (``points``) and
social insurance (人社) for category D, and the student status (with ``school_code``) of the
family's other children whom a consent covers. Kept on the case's facts (``policy.facts.Facts``,
encrypted), where ``cohort.sources`` reads them at the decision.

Asked only where the district-year sets a cohort key (``policy_in_force.rules_set``), so a district
with none asks exactly what it asked before; a child whose hukou is not in the city is asked about
too (its district is the permit's, known only from the answer). A department that does not answer
leaves its facts empty and its name in ``Facts.unavailable``."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.cohort import policy_in_force
from ruxue.cohort.facts import in_city
from ruxue.exchange.client import NO_RECORD, OK, Answer, Ask, CallContext, ExchangeClient
from ruxue.exchange.fetch import permits_ask, points_ask
from ruxue.exchange.records import Points, ResidencePermit, SocialInsurance, StudentStatus
from ruxue.policy.facts import Facts
from ruxue.policy.service import Checked

T = TypeVar("T")
FACT_OF = {
    "police.residence_permits": "residence_permit",
    "points.points": "points",
    "hrss.social_insurance": "social_insurance",
    "xueji.student_status": "sibling_status",
}
CATEGORY_D_FACTS = frozenset({"residence_permit", "points", "social_insurance"})
CHILDREN = ("子", "女", "孙子", "孙女", "兄弟", "姐妹")  # a booklet's relations a sibling may have


class Down(Exception):
    """A department that did not answer (internal marker)."""


@dataclass(frozen=True)
class Wanted:
    parents: bool = False  # permits, points and insurance of the guardian and the spouse
    siblings: bool = False  # the student status of the family's other children


async def wanted(
    session: AsyncSession, district: str, year: int, facts: Facts, checked: Checked | None = None
) -> Wanted:
    """What to ask for the family under the district-year's cohort policy (``checked``: its
    version, read with the case)."""
    policy = await policy_in_force.cohort_policy_of(session, district, year, checked)
    keyed = policy_in_force.rules_set(policy)
    return Wanted(parents=keyed or not in_city(facts), siblings=keyed and policy.sibling_priority)


def parents(facts: Facts) -> list[str]:
    return [facts.guardian.id_number, *([facts.spouse.id_number] if facts.spouse else [])]


def sibling_ids(facts: Facts) -> list[str]:
    """The other children of the family's booklets (the child's, the guardian's, the spouse's)."""
    found = {
        m.id_number
        for b in facts.booklets.values()
        for m in b.members
        if m.relation in CHILDREN and m.id_number not in facts.family_ids
    }
    return sorted(found)


def cohort_asks(facts: Facts, want: Wanted, ctx: CallContext) -> list[Ask]:
    """The asks, all independent. A sibling is asked about only when a consent of the case names
    them (the consent texts name the applicant and the child: today, none)."""
    asks: list[Ask] = []
    if want.parents:
        for i in parents(facts):
            asks += [permits_ask(i), points_ask(i), insurance_ask(i)]
    if want.siblings:
        asks += [student_ask(i) for i in sibling_ids(facts) if ctx.covering({i})]
    return asks


def insurance_ask(id_number: str) -> Ask:
    return Ask("hrss.social_insurance", {"id_number": id_number}, ("city_code", "months_paid"))


def student_ask(id_number: str) -> Ask:
    fields = ("stage", "status", "graduation_year", "school_code")
    return Ask("xueji.student_status", {"id_number": id_number}, fields)


def apply_cohort(facts: Facts, answers: Sequence[Answer]) -> None:
    """The answers of ``cohort_asks`` onto the facts, in place of any asked before."""
    facts.permits, facts.points, facts.insurance, facts.sibling_status = {}, {}, {}, []
    for answer in answers:
        try:
            _apply(facts, answer)
            facts.unavailable.discard(FACT_OF[answer.ask.service])
        except Down:
            facts.unavailable.add(FACT_OF[answer.ask.service])


def _apply(facts: Facts, answer: Answer) -> None:
    who, service = answer.ask.body["id_number"], answer.ask.service
    if service == "police.residence_permits":
        facts.permits[who] = _read(answer, list[ResidencePermit]) or []
    elif service == "points.points" and (points := _read(answer, Points)) is not None:
        facts.points[who] = points
    elif service == "hrss.social_insurance" and (paid := _read(answer, SocialInsurance)):
        facts.insurance[who] = paid
    elif service == "xueji.student_status":
        facts.sibling_status += _read(answer, list[StudentStatus]) or []


def _read(answer: Answer, kind: type[T]) -> T | None:
    if answer.outcome == NO_RECORD:
        return None
    if answer.outcome != OK:
        raise Down(answer.ask.department)
    return msgspec.convert(answer.data, kind)


async def fetch_cohort(
    client: ExchangeClient, ctx: CallContext, facts: Facts, want: Wanted
) -> list[str]:
    """Ask and keep the answers (a channel that gathered without them); the services asked."""
    asks = cohort_asks(facts, want, ctx)
    if asks:
        apply_cohort(facts, await client.ask_all(ctx, asks))
    return sorted({a.service for a in asks})
