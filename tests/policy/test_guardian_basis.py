"""domain.md "A guardian who is not a parent": the approved request's basis decides whether the
guardian stands in the parents' place (alone, own records count) or fills in for parents who
authorise (entrusted: a parent authorises, the parents' records count, the relative's own home
only where the child's hukou is in the relative's booklet at that address)."""

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st
from msgspec.structs import replace

from ruxue.exchange.records import Member
from ruxue.policy.facts import BASES, ENTRUSTED, STANDS_IN, Facts
from ruxue.policy.loader import load_policy
from ruxue.policy.rules import (
    NOTICE,
    REVIEW,
    apart_from_child,
    decide,
    guardianship_verified,
    missing_materials,
    residence_counts,
)
from tests.support.builders import SCHOOLS, YEAR, family, person, residence

POLICY = load_policy(YEAR, "320508")


def grandparent_family(
    basis: str | None, *, in_booklet: bool = True, parent: bool = False
) -> Facts:
    """The grandfather applies; the child's hukou is in his booklet (HK1) unless not
    ``in_booklet``; with ``parent``, the child's father authorised (in the spouse slot)."""
    facts = family()
    father = facts.guardian
    grandpa = person(dt.date(1958, 5, 5), "M", booklet="HK1" if in_booklet else "HK9", name="祖父")
    father = replace(father, booklet_no="HK2")
    facts.guardian, facts.spouse = grandpa, father if parent else None
    members = [grandpa, facts.child] if in_booklet else [facts.child]
    facts.booklets["HK1"] = replace(
        facts.booklets["HK1"], members=[Member(p.id_number, "其他") for p in members]
    )
    facts.booklets["HK2"] = replace(facts.booklets["HK1"], booklet_no="HK2", address="苏州市吴中区某路3号",
                                    members=[Member(father.id_number, "户主")])  # fmt: skip
    facts.guardianship_request = "GR2026ABCDE" if basis else None
    facts.guardianship_basis = basis
    return facts


def test_a_guardian_in_the_parents_place_gets_a_notice_alone_on_their_own_home() -> None:
    facts = grandparent_family("court_order")
    home = residence("GS-PJ-001", 90.0, facts.guardian, extra_owner="320508196006060020")
    facts.residences, facts.chosen_cert = [home], home.cert_no  # co-owned by his wife: counts
    decision = decide(POLICY, facts, SCHOOLS)
    assert (decision.outcome, decision.category) == (NOTICE, "A")


def test_an_unrecorded_basis_or_an_entrusted_guardian_without_a_parent_goes_to_review() -> None:
    for facts in (grandparent_family(None), grandparent_family(ENTRUSTED, parent=False)):
        assert not guardianship_verified(facts)
        decision = decide(POLICY, facts, SCHOOLS)
        assert decision.outcome == REVIEW and "GUARDIANSHIP_UNVERIFIED" in decision.reasons
    assert guardianship_verified(grandparent_family(ENTRUSTED, parent=True))


def test_an_entrusted_relatives_home_counts_only_at_the_childs_hukou_in_their_booklet() -> None:
    facts = grandparent_family(ENTRUSTED, parent=True)
    at_hukou = replace(residence("GS-PJ-001", 90.0, facts.guardian), address="苏州市姑苏区某路1号")
    elsewhere = residence("GS-PJ-002", 120.0, facts.guardian)
    parents = residence("GS-CL-001", 80.0, facts.spouse)  # type: ignore[arg-type]
    assert residence_counts(facts, at_hukou) and residence_counts(facts, parents)
    assert not residence_counts(facts, elsewhere)
    apart = grandparent_family(ENTRUSTED, in_booklet=False, parent=True)
    assert not residence_counts(apart, at_hukou)
    assert apart.guardian.id_number not in apart.family_ids  # nor asked about, nor counted


@given(
    basis=st.sampled_from(sorted(BASES)),
    parent=st.booleans(),
    in_booklet=st.booleans(),
    marriage_unknown=st.booleans(),
)
def test_a_relative_and_a_parent_are_never_asked_for_a_marriage_certificate(
    basis: str, parent: bool, in_booklet: bool, marriage_unknown: bool
) -> None:
    facts = grandparent_family(basis, in_booklet=in_booklet, parent=parent and basis == ENTRUSTED)
    if marriage_unknown:
        facts.unavailable.add("marriage")
    assert "MARRIAGE_CERTIFICATE" not in missing_materials(facts)
    assert "配偶" not in apart_from_child(facts)
    if basis in STANDS_IN:
        assert guardianship_verified(facts)
