"""Every rule of the default policy, with its boundaries."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st
from msgspec.structs import replace

from ruxue.exchange.records import StudentStatus
from ruxue.policy.facts import HOUSING_PROOF, STUDENT_STATUS
from ruxue.policy.loader import load_policy
from ruxue.policy.rules import (
    NEEDS_MATERIALS,
    NOTICE,
    REJECTED,
    REVIEW,
    apart_from_child,
    booklet_summary,
    decide,
    household_size,
    may_apply,
    missing_materials,
    parents_of,
)
from tests.support.builders import SCHOOLS, YEAR, family, person, residence, with_certificates

POLICY = load_policy(YEAR, "320508")


def _decide(facts):  # type: ignore[no-untyped-def]
    return decide(POLICY, facts, SCHOOLS)


@pytest.mark.parametrize(
    ("born", "outcome"),
    [
        (dt.date(YEAR - 7, 9, 1), NOTICE),
        (dt.date(YEAR - 7, 8, 31), REJECTED),
        (dt.date(YEAR - 6, 8, 31), NOTICE),
        (dt.date(YEAR - 6, 9, 1), REJECTED),
    ],
)
def test_age_window_boundaries(born: dt.date, outcome: str) -> None:
    decision = _decide(family(child_born=born))
    assert decision.outcome == outcome
    if outcome == REJECTED:
        assert decision.reasons == ["AGE_OUT_OF_RANGE"]
        assert "2019年09月01日至2020年08月31日" in decision.explanation


@given(st.dates(min_value=dt.date(YEAR - 9, 1, 1), max_value=dt.date(YEAR - 4, 12, 31)))
def test_age_rule_holds_for_any_birth_date(born: dt.date) -> None:
    inside = dt.date(YEAR - 7, 9, 1) <= born <= dt.date(YEAR - 6, 8, 31)
    assert (_decide(family(child_born=born)).outcome == REJECTED) != inside


def test_hukou_only_gives_category_c() -> None:
    decision = _decide(family())
    assert (decision.outcome, decision.category, decision.school_code) == (
        NOTICE,
        "C",
        "3205080101",
    )


def test_property_and_hukou_in_catchment_give_a_and_elsewhere_b() -> None:
    facts = family()
    facts.residences = [residence("GS-PJ-002", 90, facts.guardian)]
    facts.chosen_cert = facts.residences[0].cert_no
    assert _decide(facts).category == "A"
    facts = family(compound="GS-XX-404")  # hukou in no catchment
    facts.residences = [residence("GS-PJ-001", 90, facts.guardian)]
    facts.chosen_cert = facts.residences[0].cert_no
    decision = _decide(facts)
    assert (decision.outcome, decision.category, decision.school_name) == (
        NOTICE,
        "B",
        "苏州市平江实验学校",
    )


def test_household_counts_booklet_members_and_the_family() -> None:
    facts = family()
    grandma = person(dt.date(1960, 1, 1), "F")
    facts.booklets["HK1"].members.append(
        type(facts.booklets["HK1"].members[0])(grandma.id_number, "祖母")
    )
    assert household_size(facts) == 4


@pytest.mark.parametrize(("area", "homes", "category", "notes"), [
    (54.0, 1, "A", []),              # 54 / 3 = exactly 18 m² per person
    (53.99, 1, "A", []),             # just below: the sole residence's unique-housing proof satisfies
    (53.99, 2, "C", ["SMALL_AREA_NOT_UNIQUE"]),  # just below with two homes: as if no property
    (54.0, 2, "A", []),
])  # fmt: skip
def test_per_person_area_threshold(
    area: float, homes: int, category: str, notes: list[str]
) -> None:
    facts = family()
    facts.residences = [residence("GS-PJ-001", area, facts.guardian)]
    facts.residences += [residence("GS-CL-001", 120, facts.spouse) for _ in range(homes - 1)]  # type: ignore[arg-type]
    facts.chosen_cert = facts.residences[0].cert_no
    decision = _decide(facts)
    assert (decision.outcome, decision.category, decision.reasons) == (NOTICE, category, notes)


def test_several_residences_choose_the_one_in_the_catchment() -> None:
    facts = family()
    facts.residences = [
        residence("GS-CL-001", 100, facts.guardian),
        residence("GS-PJ-001", 80, facts.spouse),
    ]  # type: ignore[arg-type]
    facts.chosen_cert = facts.residences[0].cert_no
    decision = _decide(facts)
    assert (decision.school_code, decision.category) == ("3205080102", "B")


def test_commercial_property_only_counts_as_no_residence() -> None:
    facts = family()
    shop = residence("GS-PJ-001", 200, facts.guardian, usage="commercial")
    facts.residences, facts.chosen_cert = [shop], shop.cert_no
    assert _decide(facts).category == "C"


def test_no_residence_needs_the_registry_proof() -> None:
    facts = family()
    facts.unavailable = {HOUSING_PROOF}
    decision = _decide(facts)
    assert (decision.outcome, decision.reasons) == (REVIEW, ["DATA_SOURCE_UNAVAILABLE"])


def test_property_owned_by_the_child_or_with_an_outside_co_owner_qualifies() -> None:
    facts = family()
    facts.residences = [residence("GS-PJ-001", 90, facts.child)]
    facts.chosen_cert = facts.residences[0].cert_no
    assert _decide(facts).category == "A"
    facts = family()
    outsider = person(dt.date(1970, 1, 1), "M").id_number
    facts.residences = [residence("GS-PJ-001", 90, facts.guardian, extra_owner=outsider)]
    facts.chosen_cert = facts.residences[0].cert_no
    assert _decide(facts).category == "A"


@pytest.mark.parametrize(("birth", "marriage", "missing"), [
    (True, True, []),
    (True, False, ["MARRIAGE_CERTIFICATE"]),
    (False, True, ["BIRTH_CERTIFICATE"]),
    (False, False, ["BIRTH_CERTIFICATE", "MARRIAGE_CERTIFICATE"]),
])  # fmt: skip
def test_split_booklets_need_birth_and_marriage_records(
    birth: bool, marriage: bool, missing: list[str]
) -> None:
    decision = _decide(with_certificates(family(split=True), birth=birth, marriage=marriage))
    if missing:
        assert (decision.outcome, decision.missing) == (NEEDS_MATERIALS, missing)
        assert all(name in decision.explanation for name in ("请一次补齐",))
    else:
        assert decision.outcome == NOTICE


def test_provided_materials_clear_the_request() -> None:
    facts = family(split=True)
    facts.provided = {"BIRTH_CERTIFICATE", "MARRIAGE_CERTIFICATE"}
    assert _decide(facts).outcome == NOTICE


def test_single_parent_in_one_booklet_needs_no_certificate() -> None:
    decision = _decide(family(single=True))
    assert (decision.outcome, decision.category) == (NOTICE, "C")


def test_grandparent_applying_goes_to_review() -> None:
    facts = family()
    facts.guardian = person(dt.date(1960, 5, 5), "M", name="祖父")
    decision = _decide(facts)
    assert decision.outcome == REVIEW and "GUARDIANSHIP_UNVERIFIED" in decision.reasons


def test_grandparent_with_an_approved_request_is_not_sent_to_review_again() -> None:
    facts = family()
    facts.guardian = person(dt.date(1960, 5, 5), "M", name="祖父")
    facts.guardianship_request, facts.guardianship_basis = "GR2026ABCDE", "entrusted"
    assert _decide(facts).outcome == NOTICE  # the mother authorised at step 3 (the spouse slot)


def test_who_may_apply_for_a_child() -> None:
    facts = with_certificates(family())
    child, birth, father = facts.child, facts.birth_certificate, facts.guardian
    stranger = person(dt.date(1960, 5, 5), "M").id_number
    assert may_apply(father.id_number, child, None, approved=False)
    assert not may_apply(stranger, child, birth, approved=False)
    assert may_apply(stranger, child, birth, approved=True)
    child.father_id_number = None  # the police record lost him: the birth record still says so
    assert not may_apply(father.id_number, child, None, approved=False)
    assert may_apply(father.id_number, child, birth, approved=False)
    assert None not in parents_of(child, birth)


def test_guardianship_proven_by_birth_certificate_alone() -> None:
    facts = with_certificates(family())
    facts.child.father_id_number = None
    assert _decide(facts).outcome == NOTICE


@pytest.mark.parametrize(("records", "outcome"), [
    ([YEAR], NOTICE), ([YEAR + 1], REJECTED), ([], REJECTED),
])  # fmt: skip
def test_junior_must_graduate_this_year(records: list[int], outcome: str) -> None:
    facts = family(segment="junior", child_born=dt.date(YEAR - 13, 10, 1))
    facts.student_status = [
        StudentStatus(facts.child.id_number, "primary", "x", "enrolled", y) for y in records
    ]
    decision = _decide(facts)
    assert decision.outcome == outcome
    if outcome == NOTICE:
        assert (decision.school_name, decision.category) == ("苏州市第十六中学", "C")
    else:
        assert decision.reasons == ["NOT_GRADUATING_THIS_YEAR"]


def test_primary_with_existing_student_status_is_rejected() -> None:
    facts = family()
    facts.student_status = [
        StudentStatus(facts.child.id_number, "primary", "x", "enrolled", YEAR + 6)
    ]
    assert _decide(facts).reasons == ["XUEJI_EXISTS"]


def test_student_status_unavailable_goes_to_review_not_rejection() -> None:
    facts = family(segment="junior", child_born=dt.date(YEAR - 13, 10, 1))
    facts.student_status, facts.unavailable = [], {STUDENT_STATUS}
    assert _decide(facts).reasons == ["DATA_SOURCE_UNAVAILABLE"]


def test_no_catchment_goes_to_review() -> None:
    decision = _decide(family(compound="GS-XX-404"))
    assert (decision.outcome, decision.reasons) == (REVIEW, ["NO_CATCHMENT"])


def test_rejection_wins_over_missing_materials_and_missing_over_review() -> None:
    facts = family(split=True, child_born=dt.date(YEAR - 5, 1, 1))
    assert _decide(facts).outcome == REJECTED
    facts = family(split=True, compound="GS-XX-404")
    assert _decide(facts).outcome == NEEDS_MATERIALS


def test_district_override_changes_the_window_not_the_rules() -> None:
    kunshan = load_policy(YEAR, "320583")
    assert kunshan.windows["primary"].opens == "05-10T09:00"
    assert kunshan.area_threshold_m2 == POLICY.area_threshold_m2


def test_missing_materials_name_the_school_for_the_originals() -> None:
    decision = _decide(family(split=True))
    assert (decision.outcome, decision.school_code, decision.category) == (
        NEEDS_MATERIALS,
        "3205080101",
        None,
    )
    assert "携带原件到苏州市平江实验学校现场核验" in decision.explanation
    assert "录取学校" not in decision.explanation  # not a placement yet


def test_a_promise_to_bring_is_not_a_material_given() -> None:
    facts = family(split=True)
    facts.bring = {"BIRTH_CERTIFICATE", "MARRIAGE_CERTIFICATE"}
    assert _decide(facts).missing == ["BIRTH_CERTIFICATE", "MARRIAGE_CERTIFICATE"]
    facts.provided = {"BIRTH_CERTIFICATE"}  # a desk saw one original
    assert _decide(facts).missing == ["MARRIAGE_CERTIFICATE"]
    facts.uploaded = {"MARRIAGE_CERTIFICATE"}  # the other uploaded: a person checks it
    decision = _decide(facts)
    assert (decision.outcome, decision.reasons) == (REVIEW, ["UPLOADED_MATERIALS"])


def test_materials_a_reviewer_requested_are_needed_even_in_one_booklet() -> None:
    facts = family()
    facts.requested = {"BIRTH_CERTIFICATE"}
    assert missing_materials(facts) == ["BIRTH_CERTIFICATE"]
    facts.provided = {"BIRTH_CERTIFICATE"}
    assert missing_materials(facts) == [] and _decide(facts).outcome == NOTICE


def test_the_booklet_summary_names_who_is_not_on_the_childs_booklet() -> None:
    """The father applying shares the child's 户口簿; only the mother is elsewhere, and the page
    says so (it said the guardian was apart, which a father on the booklet read as an error)."""
    assert (apart_from_child(family()), booklet_summary(family())) == ([], "是")
    split = family(split=True)
    assert apart_from_child(split) == ["配偶"]
    assert booklet_summary(split) == "否（配偶不在学生的户口簿上）"
    split.guardian = replace(split.guardian, booklet_no="HK3")
    assert booklet_summary(split) == "否（监护人、配偶均不在学生的户口簿上）"
    assert booklet_summary(family(single=True)) == "是"
