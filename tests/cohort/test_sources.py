"""The adapters of ``cohort.sources`` read what ``cohort.gather`` kept on the facts; what is asked
depends on the district-year's cohort keys; a category-D department that did not answer is told."""

import datetime as dt
from pathlib import Path

from msgspec.structs import replace

from ruxue.cases.models import Case
from ruxue.cohort import sources
from ruxue.cohort.facts import known_siblings
from ruxue.cohort.gather import Wanted, apply_cohort, cohort_asks
from ruxue.cohort.records import Enrolled, Insurance, Kin, Permit
from ruxue.cohort.service import judge
from ruxue.exchange.client import NO_RECORD, OK, UNAVAILABLE, Answer, CallContext
from ruxue.exchange.records import Booklet, Member, StudentStatus
from ruxue.kit.db import Database
from ruxue.person.rules import make_id_number
from ruxue.policy.facts import Facts
from ruxue.policy.loader import load_policy
from ruxue.policy.rules import decide
from ruxue.reference.repository import school_refs
from tests.support.builders import family, with_certificates
from tests.support.cohort_cases import shipped_policy

NOW = dt.datetime(2026, 6, 15, 2, 0, tzinfo=dt.UTC)
PERMIT = {
    "permit_no": "JZ-1",
    "district_code": "320508",
    "address": "苏州市姑苏区某路2号",
    "compound_code": "GS-PJ-002",
    "valid_from": "2024-03-01",
    "valid_to": "2027-02-28",
}


def ctx(*subjects: str) -> CallContext:
    consent = {
        "id": "c1",
        "subjects": list(subjects),
        "departments": [],
        "purpose": "ENROLLMENT",
        "expires_at": "2026-12-31T00:00:00Z",
    }
    return CallContext("RX1", "op", (consent,))  # type: ignore[arg-type]


def answered(facts: Facts, want: Wanted) -> Facts:
    """Every ask of ``cohort_asks`` answered as a version-2 sandbox would for the father."""
    father = facts.guardian.id_number
    answers = []
    for ask in cohort_asks(facts, want, ctx(*facts.family_ids)):
        who = ask.body["id_number"]
        data = {
            "police.residence_permits": [PERMIT | {"id_number": who}] if who == father else [],
            "points.points": {"id_number": who, "points": 88.5, "as_of": "2026-04-30"},
            "hrss.social_insurance": {
                "id_number": who,
                "city_code": "320500",
                "months_paid": 24,
                "since": "2024-01",
            },
        }[ask.service]
        mine = ask.service == "police.residence_permits" or who == father
        answers.append(Answer(ask, OK if mine else NO_RECORD, data if mine else None))
    apply_cohort(facts, answers)
    return facts


async def test_permits_points_and_insurance_read_from_the_facts() -> None:
    facts = answered(family(), Wanted(parents=True))
    father, mother = facts.guardian.id_number, facts.spouse.id_number  # type: ignore[union-attr]
    assert await sources.permits_of(None, father, facts) == (  # type: ignore[arg-type]
        Permit("JZ-1", "320508", "GS-PJ-002", dt.date(2024, 3, 1), dt.date(2027, 2, 28)),
    )
    assert await sources.permits_of(None, mother, facts) == ()  # type: ignore[arg-type]
    assert await sources.points_of(None, father, facts) == 88.5  # type: ignore[arg-type]
    assert await sources.points_of(None, mother, facts) is None  # type: ignore[arg-type]
    assert await sources.insurance_of(None, father, facts) == (  # type: ignore[arg-type]
        Insurance("320500", 24),
    )


def test_nothing_asked_without_a_cohort_key() -> None:
    facts = family()
    assert cohort_asks(facts, Wanted(), ctx(*facts.family_ids)) == []
    asked = {a.service for a in cohort_asks(facts, Wanted(parents=True), ctx())}
    assert asked == {"police.residence_permits", "points.points", "hrss.social_insurance"}


def test_a_department_that_did_not_answer_is_unavailable() -> None:
    facts = family()
    asks = cohort_asks(facts, Wanted(parents=True), ctx())
    apply_cohort(facts, [Answer(a, UNAVAILABLE) for a in asks])
    assert facts.unavailable == {"residence_permit", "points", "social_insurance"}
    assert facts.permits == {} and facts.points == {}


def with_elder(facts: Facts) -> tuple[Facts, str]:
    """The father heads the child's booklet, with an elder son in it."""
    elder = make_id_number("320508", dt.date(2016, 5, 5), 41)
    members = [
        Member(facts.guardian.id_number, "户主"),
        Member(facts.child.id_number, "子", dt.date(2020, 4, 1)),
        Member(elder, "子"),
    ]
    book = facts.booklets[facts.child.booklet_no]
    facts.booklets[book.booklet_no] = Booklet(
        book.booklet_no, book.district_code, book.address, book.compound_code, members
    )
    return facts, elder


async def test_moved_in_on_is_the_child_members_date() -> None:
    facts, _ = with_elder(family())
    assert await sources.moved_in_on_of(None, facts) == dt.date(2020, 4, 1)  # type: ignore[arg-type]


def test_known_siblings_are_the_children_of_a_booklet_a_parent_heads() -> None:
    facts, elder = with_elder(family())
    assert known_siblings(facts) == {elder: Kin(elder, facts.guardian.id_number, None)}


async def test_students_of_reads_a_consented_siblings_status_with_its_school() -> None:
    facts, elder = with_elder(family())
    want = Wanted(siblings=True)
    assert cohort_asks(facts, want, ctx(*facts.family_ids)) == []  # no consent names the elder
    (ask,) = cohort_asks(facts, want, ctx(elder))
    status = StudentStatus(elder, "primary", "苏州市平江实验学校", "enrolled", 2028, "3205080101")
    apply_cohort(facts, [Answer(ask, OK, [status])])
    assert await sources.students_of(None, facts) == (  # type: ignore[arg-type]
        Enrolled(
            Kin(elder, facts.guardian.id_number, None),
            dt.date(2016, 5, 5),
            "enrolled",
            "3205080101",
        ),
    )


async def test_category_d_department_unavailable_is_told_with_no_catchment(
    schools: None, db: Database, tmp_path: Path
) -> None:
    facts = with_certificates(family(compound="GS-NONE-9"))
    facts = replace(facts, unavailable={"points"})
    case = Case(year=2026, segment="primary", district_code="320508")
    with shipped_policy(tmp_path, 'placement = "allocation"\n'):
        async with db.read_session() as session:
            decision = decide(load_policy(2026, "320508"), facts, await school_refs(session))
            found = await judge(session, case, facts, decision, NOW)
    assert found.decision.outcome == "manual_review"
    assert {"NO_CATCHMENT", "DATA_SOURCE_UNAVAILABLE"} <= set(found.decision.reasons)
