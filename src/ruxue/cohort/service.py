"""A decision of the rules under the district-year's cohort policy, recorded through the case
lifecycle. Joins the caller's transaction (every channel's decision: online, kiosk, desk,
materials completed). Where no cohort key is set the decision is recorded exactly as decided."""

import datetime as dt
from dataclasses import dataclass, replace

from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.cases import lifecycle
from ruxue.cases.lifecycle import TraceEvent, Transition
from ruxue.cases.models import Case
from ruxue.cases.status import Status
from ruxue.cohort import policy_in_force as cohort_policy
from ruxue.cohort import publication, sources
from ruxue.cohort.applicant import routing_district
from ruxue.cohort.facts import CITY, case_facts, home, in_city, schools
from ruxue.cohort.family import sibling_schools
from ruxue.cohort.gather import CATEGORY_D_FACTS
from ruxue.cohort.outcome import GOES_ON, under_cohort
from ruxue.cohort.policy_keys import CohortPolicy
from ruxue.cohort.records import Parent, SeatUse, Segment
from ruxue.cohort.repository import drop_entry, save_entry
from ruxue.cohort.rules import NO_CATCHMENT, CaseFacts, Classification, as_candidate, classify
from ruxue.policy.facts import Facts, read_facts
from ruxue.policy.loader import CHINA, load_policy
from ruxue.policy.rules import Decision, qualifying_property
from ruxue.policy.service import Checked
from ruxue.reference.repository import add_placed_seat, remove_placed_seat, school_refs
from ruxue.reference.seats import SeatRecord


@dataclass(frozen=True)
class Judged:
    """The decision under the cohort rules and what it was read from."""

    decision: Decision
    facts: CaseFacts | None = None
    found: Classification | None = None
    district_code: str | None = None  # the catchment school's district (the run's)


async def record(
    session: AsyncSession,
    case: Case,
    facts: Facts,
    decision: Decision,
    now: dt.datetime,
    *events: TraceEvent,
    checked: Checked | None = None,
) -> Transition:
    """The channel's events, then the decision (or the qualification) in the trace."""
    judged = await judge(session, case, facts, decision, now, checked)
    if judged.decision.outcome != Status.QUALIFIED:
        return await lifecycle.decide(session, case, judged.decision, now, *events)
    transition = await lifecycle.qualify(session, case, judged.decision, now, *events)
    await _enter(session, case, facts, judged, now)
    await publication.place_if_published(session, case, now)  # a late case (run step 4)
    return transition


async def on_transition(session: AsyncSession, transition: Transition) -> None:
    """A subscriber of the case lifecycle: a qualified case that is withdrawn leaves the cohort,
    so the run never places it; a seat given on a property joins the seat history and leaves it
    when the notice is revoked or the case withdrawn (``cohort.md``, "Data")."""
    case = transition.case
    leaving = transition.previous == Status.QUALIFIED and transition.current == Status.WITHDRAWN
    if leaving:
        await drop_entry(session, case.id)
    if transition.previous == Status.NOTICE_ISSUED and transition.current != Status.NOTICE_ISSUED:
        await remove_placed_seat(session, case.id)
    elif transition.current == Status.NOTICE_ISSUED and _used_property(case):
        child = read_facts(case).child.id_number
        seat = SeatRecord(
            case.chosen_cert or "", child, case.year, case.segment, case.school_code or "", case.id
        )
        await add_placed_seat(session, seat)


def _used_property(case: Case) -> bool:
    """The seat was given on the chosen property (category A or B)."""
    return bool(case.chosen_cert) and case.category in ("A", "B") and bool(case.school_code)


async def judge(
    session: AsyncSession,
    case: Case,
    facts: Facts,
    decision: Decision,
    now: dt.datetime,
    checked: Checked | None = None,
) -> Judged:
    """The decision under the cohort keys of the case's district and year, if any is set (a child
    whose hukou is not in the city: of the chosen property's district, else the permit's).
    ``checked``: the version in force of the case's district and year, read with the case."""
    district = await _district(session, case, facts, now)
    cohort = await cohort_policy.cohort_policy_of(session, district, case.year, checked)
    if not cohort_policy.rules_set(cohort) or decision.outcome not in GOES_ON:
        return Judged(decision)
    with session.no_autoflush:  # a desk case is not written before its decision
        return await _judge(session, case, facts, decision, cohort, now)


async def _judge(
    session: AsyncSession,
    case: Case,
    facts: Facts,
    decision: Decision,
    cohort: CohortPolicy,
    now: dt.datetime,
) -> Judged:
    policy = load_policy(case.year, case.district_code or "")
    refs = await school_refs(session)
    chosen, notes = qualifying_property(policy, facts)
    applied_on = (case.submitted_at or now).astimezone(CHINA).date()
    moved = await sources.moved_in_on_of(session, facts)
    family = case_facts(facts, applied_on, chosen, moved, await _parents(session, facts))
    history = await _history(session, cohort, family, facts)
    found = classify(cohort, family, schools(refs), history)
    if found.home is not None:
        earlier = await sources.uses_this_year(session, case, found.home.cert_no, family.segment)
        found = classify(cohort, family, schools(refs), history, earlier)
    found = _unanswered(found, facts)
    school = next((s for s in refs if s.code == found.school_code), None)
    out = under_cohort(policy, cohort, decision, found, notes, school.name if school else None)
    return Judged(out, family, found, school.district_code if school else None)


def _unanswered(found: Classification, facts: Facts) -> Classification:
    """No catchment while a department category D reads did not answer: a person decides, told
    that some data could not be had (not only that nothing counted)."""
    if NO_CATCHMENT in found.reasons and facts.unavailable & CATEGORY_D_FACTS:
        return replace(found, reasons=(*found.reasons, "DATA_SOURCE_UNAVAILABLE"))
    return found


async def _district(session: AsyncSession, case: Case, facts: Facts, now: dt.datetime) -> str:
    """The district whose policy decides the case (``cohort.md``, "Precise readings")."""
    if in_city(facts):
        return case.district_code or ""
    chosen = next((p for p in facts.residences if p.cert_no == facts.chosen_cert), None)
    applied_on = (case.submitted_at or now).astimezone(CHINA).date()
    defaults = CohortPolicy(year=case.year)
    parents = (await _parents(session, facts)).values()
    routed = routing_district(defaults, None, home(chosen), tuple(parents), applied_on, CITY)
    return routed or case.district_code or ""


async def _parents(session: AsyncSession, facts: Facts) -> dict[str, Parent]:
    people = [facts.guardian, *([facts.spouse] if facts.spouse else [])]
    return {
        p.id_number: Parent(
            p.id_number,
            await sources.permits_of(session, p.id_number, facts),
            await sources.insurance_of(session, p.id_number, facts),
            await sources.points_of(session, p.id_number, facts),
        )
        for p in people
    }


async def _history(
    session: AsyncSession, cohort: CohortPolicy, family: CaseFacts, facts: Facts
) -> list[SeatUse]:
    """Seats the chosen property gave in the years its lock looks at."""
    years = cohort.seat_lock_years.get(family.segment)
    if family.home is None or years is None:
        return []
    earlier = range(cohort.year - years + 1, cohort.year)
    if not earlier:  # a lock of one year looks at no earlier year
        return []
    return await sources.seat_uses_of(session, family.home.cert_no, family.segment, earlier, facts)


async def _enter(
    session: AsyncSession, case: Case, facts: Facts, judged: Judged, now: dt.datetime
) -> None:
    """The qualified case's entry for the run, with its priority groups and siblings' schools."""
    assert judged.facts is not None and judged.found is not None
    family, segment = judged.facts, _segment(case.segment)
    students = await sources.students_of(session, facts)
    candidate = as_candidate(
        str(case.id),
        family,
        judged.found,
        await sources.priorities_of(session, family.child.id_number),
        sibling_schools(family.child, facts.child.birth_date, students),
    )
    district = judged.district_code or case.district_code or ""
    await save_entry(session, case.id, district, segment, case.year, candidate, now)


def _segment(value: str) -> Segment:
    return "junior" if value == "junior" else "primary"
