"""The admission rules of ``domain.md`` as pure functions: facts and policy in, decision out."""

import datetime as dt
from collections.abc import Sequence

import msgspec
from msgspec import Struct, field

from ruxue.cases.status import Status
from ruxue.exchange.records import BirthCertificate, Person, Property
from ruxue.policy.explain import explain
from ruxue.policy.facts import (
    BIRTH,
    HOUSING_PROOF,
    MARRIAGE,
    RESIDENCES,
    STUDENT_STATUS,
    Facts,
    SchoolRef,
)
from ruxue.policy.loader import Policy

NOTICE, NEEDS_MATERIALS, REVIEW, REJECTED = (
    Status.NOTICE_ISSUED,
    Status.NEEDS_MATERIALS,
    Status.MANUAL_REVIEW,
    Status.REJECTED,
)


class Decision(Struct, kw_only=True):
    outcome: str
    school_code: str | None = None
    school_name: str | None = None
    category: str | None = None
    reasons: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    explanation: str = ""


class Placement(Struct, kw_only=True):
    school: SchoolRef | None
    category: str | None
    notes: list[str]
    property: Property | None


def age_window(policy: Policy) -> tuple[dt.date, dt.date]:
    window = policy.age["primary"]
    return window.born_from.date(policy.year), window.born_to.date(policy.year)


def rejections(policy: Policy, facts: Facts) -> list[str]:
    reasons = []
    if facts.segment == "primary":
        born_from, born_to = age_window(policy)
        if not born_from <= facts.child.birth_date <= born_to:
            reasons.append("AGE_OUT_OF_RANGE")
        if STUDENT_STATUS not in facts.unavailable and any(
            s.stage == "primary" for s in facts.student_status
        ):
            reasons.append("XUEJI_EXISTS")
    elif STUDENT_STATUS not in facts.unavailable and not any(
        s.stage == "primary" and s.graduation_year == policy.year for s in facts.student_status
    ):
        reasons.append("NOT_GRADUATING_THIS_YEAR")
    return reasons


def graduates_this_year(facts: Facts) -> bool:
    """The student-status records show the child leaving primary school in the enrollment year:
    a primary application is the wrong segment (小升初 is the one to make)."""
    return any(
        s.stage == "primary" and s.graduation_year == facts.year for s in facts.student_status
    )


def parents_of(child: Person, birth: BirthCertificate | None) -> set[str]:
    """The child's father and mother per the police record and, if known, the birth certificate."""
    ids = {child.father_id_number, child.mother_id_number}
    if birth is not None:
        ids |= {birth.father_id_number, birth.mother_id_number}
    return {i for i in ids if i}


def may_apply(
    applicant_id: str, child: Person, birth: BirthCertificate | None, approved: bool
) -> bool:
    """Who may act for a child: a parent, or a guardian whose request a reviewer approved."""
    return approved or applicant_id in parents_of(child, birth)


def is_parent(parent: Person, facts: Facts) -> bool:
    """Parent of the child per the police record or the birth certificate."""
    return parent.id_number in parents_of(facts.child, facts.birth_certificate)


def guardianship_verified(facts: Facts) -> bool:
    """A parent; a guardian in the parents' place by an approved request; or an entrusted relative
    for whom one of the parents authorised (a parent of the child, attached at step 3)."""
    if is_parent(facts.guardian, facts):
        return True
    if facts.entrusted:
        return facts.spouse is not None and is_parent(facts.spouse, facts)
    return facts.stands_in


def acts_for_parents(facts: Facts) -> bool:
    """A guardian who is not a parent, by an approved guardianship request (either basis)."""
    return facts.guardianship_request is not None and not is_parent(facts.guardian, facts)


def residence_counts(facts: Facts, prop: Property) -> bool:
    """An entrusted relative's own residence counts only where the child's hukou is in the
    relative's booklet at that address; every other family residence counts (domain.md)."""
    if not facts.entrusted:
        return True
    owners = {o.id_number for o in prop.owners}
    if owners & ((facts.family_ids - {facts.guardian.id_number}) | {facts.child.id_number}):
        return True
    booklet = facts.booklets.get(facts.child.booklet_no)
    return (
        facts.guardian.booklet_no == facts.child.booklet_no
        and booklet is not None
        and booklet.address == prop.address
    )


def same_booklet(facts: Facts) -> bool:
    return not apart_from_child(facts)


def apart_from_child(facts: Facts) -> list[str]:
    """Who of the parents is not on the child's 户口簿 ("监护人", "配偶"), in that order. An
    entrusted relative is not a parent: only the authorising parent ("家长") is looked at."""
    if facts.entrusted:
        parents = [("家长", facts.spouse)] if facts.spouse else []
    else:
        parents = [("监护人", facts.guardian), *([("配偶", facts.spouse)] if facts.spouse else [])]
    return [role for role, p in parents if p.booklet_no != facts.child.booklet_no]


def booklet_summary(facts: Facts) -> str:
    """In words, who shares the child's 户口簿: "是" when everyone does, else who does not."""
    apart = apart_from_child(facts)
    if not apart:
        return "是"
    return f"否（{'、'.join(apart)}{'均' if len(apart) > 1 else ''}不在学生的户口簿上）"


def missing_materials(facts: Facts) -> list[str]:
    """Materials still needed: certificates the departments could not find for a family not in one
    booklet, and any a reviewer asked for. Uploaded or seen by staff counts as given; a promise to
    bring the original does not (the material is given when a desk has seen it)."""
    needed = set(facts.requested)
    if not same_booklet(facts):
        if facts.birth_certificate is None and BIRTH not in facts.unavailable:
            needed.add("BIRTH_CERTIFICATE")
        if _two_parents(facts) and MARRIAGE not in facts.unavailable and not _married(facts):
            needed.add("MARRIAGE_CERTIFICATE")
    return sorted(needed - facts.provided - facts.uploaded)


def _two_parents(facts: Facts) -> bool:
    """The guardian and the spouse are the child's two parents (never a relative and a parent)."""
    return facts.spouse is not None and not acts_for_parents(facts)


def _married(facts: Facts) -> bool:
    assert facts.spouse is not None
    pair = {facts.guardian.id_number, facts.spouse.id_number}
    return any({m.party_a, m.party_b} == pair and m.status == "married" for m in facts.marriages)


def married_other_parent(facts: Facts) -> str | None:
    """Single parent (domain.md): the child's other parent (police record or birth certificate) to
    whom the records show the applicant married, if any. Then step 3 may not be skipped: the other
    parent must authorise, or a claim that the records are wrong goes to review."""
    others = parents_of(facts.child, facts.birth_certificate) - {facts.guardian.id_number}
    for m in facts.marriages:
        pair = {m.party_a, m.party_b}
        if m.status == "married" and facts.guardian.id_number in pair and pair & others:
            return next(iter(pair & others))
    return None


def household_size(facts: Facts) -> int:
    booklet = facts.booklets.get(facts.child.booklet_no)
    members = {m.id_number for m in booklet.members} if booklet else set()
    return len(members | facts.family_ids)


def qualifying_property(policy: Policy, facts: Facts) -> tuple[Property | None, list[str]]:
    """The chosen residence if it may be used for enrollment, and notes on why not."""
    chosen = next((p for p in facts.residences if p.cert_no == facts.chosen_cert), None)
    if chosen is None or chosen.usage != "residential":
        return None, []
    if chosen.building_area_m2 / household_size(facts) >= policy.area_threshold_m2:
        return chosen, []
    if len(facts.residences) == 1:
        return chosen, []  # the registry's unique-housing proof satisfies the rule
    return None, ["SMALL_AREA_NOT_UNIQUE"]


def school_for(compound: str, schools: Sequence[SchoolRef], segment: str) -> SchoolRef | None:
    matches = sorted(
        (s for s in schools if s.segment == segment and compound in s.compound_codes),
        key=lambda s: s.code,
    )
    return matches[0] if matches else None


def place(policy: Policy, facts: Facts, schools: Sequence[SchoolRef]) -> Placement:
    prop, notes = qualifying_property(policy, facts)
    booklet = facts.booklets.get(facts.child.booklet_no)
    hukou_compound = booklet.compound_code if booklet else ""
    if prop is not None:
        school = school_for(prop.compound_code, schools, facts.segment)
        if school is not None:
            category = "A" if hukou_compound in school.compound_codes else "B"
            if category in policy.categories:
                return Placement(school=school, category=category, notes=notes, property=prop)
    school = school_for(hukou_compound, schools, facts.segment)
    if school is not None and "C" in policy.categories:
        return Placement(school=school, category="C", notes=notes, property=None)
    return Placement(school=None, category=None, notes=notes, property=None)


def needs_housing_proof(policy: Policy, facts: Facts) -> bool:
    """No residence (no-housing proof) or a small chosen sole residence (unique-housing proof)."""
    if not facts.residences:
        return True
    chosen = next((p for p in facts.residences if p.cert_no == facts.chosen_cert), None)
    return (
        chosen is not None
        and chosen.building_area_m2 / household_size(facts) < policy.area_threshold_m2
    )


def best_residence(policy: Policy, facts: Facts, schools: Sequence[SchoolRef]) -> str | None:
    """The residence that gives the best category (A, then B), for a pre-selection or a precheck."""
    rank = {"A": 0, "B": 1}
    best: tuple[int, float, str] | None = None
    for prop in facts.residences:
        trial = msgspec.structs.replace(facts, chosen_cert=prop.cert_no)
        placement = place(policy, trial, schools)
        if placement.property is not None and placement.category in rank:
            key = (rank[placement.category], -prop.building_area_m2, prop.cert_no)
            best = min(best, key) if best else key
    return best[2] if best else None


def review_reasons(policy: Policy, facts: Facts, placement: Placement) -> list[str]:
    reasons = []
    if not guardianship_verified(facts):
        reasons.append("GUARDIANSHIP_UNVERIFIED")
    if facts.spouse is None and married_other_parent(facts):
        reasons.append("SINGLE_PARENT_CONTESTED")  # a skip the records contradict: a person decides
    if placement.school is None:
        reasons.append("NO_CATCHMENT")
    needed = {STUDENT_STATUS, RESIDENCES, BIRTH, MARRIAGE}
    if needs_housing_proof(policy, facts):
        needed.add(HOUSING_PROOF)
    if facts.unavailable & needed:
        reasons.append("DATA_SOURCE_UNAVAILABLE")
    if facts.uploaded - facts.provided:
        reasons.append("UPLOADED_MATERIALS")
    return reasons


def decide(policy: Policy, facts: Facts, schools: Sequence[SchoolRef]) -> Decision:
    rejected = rejections(policy, facts)
    if rejected:
        decision = Decision(outcome=REJECTED, reasons=rejected)
    elif missing := missing_materials(facts):
        school = place(policy, facts, schools).school  # where the originals may be brought
        decision = Decision(
            outcome=NEEDS_MATERIALS,
            missing=missing,
            school_code=school.code if school else None,
            school_name=school.name if school else None,
        )
    else:
        placement = place(policy, facts, schools)
        review = review_reasons(policy, facts, placement)
        if review:
            decision = Decision(outcome=REVIEW, reasons=review + placement.notes)
        else:
            assert placement.school is not None
            decision = Decision(
                outcome=NOTICE, school_code=placement.school.code, school_name=placement.school.name,
                category=placement.category, reasons=placement.notes,
            )  # fmt: skip
    decision.explanation = explain(policy, decision)
    return decision
