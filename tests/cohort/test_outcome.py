"""``cohort.outcome.under_cohort``, pure: the decision of ``domain.md`` under the cohort rules,
walked by Hypothesis over decisions and classifications."""

from hypothesis import given
from hypothesis import strategies as st

from ruxue.cohort.outcome import under_cohort
from ruxue.cohort.rules import NO_CATCHMENT, PROPERTY_IN_USE, SEAT_LOCKED, Classification
from ruxue.policy.loader import load_policy
from ruxue.policy.rules import Decision
from tests.support.cohort import policy

POLICY = load_policy(2026, "320508")
OTHERS = ["GUARDIANSHIP_UNVERIFIED", "DATA_SOURCE_UNAVAILABLE", "UPLOADED_MATERIALS"]

decisions = st.builds(
    Decision,
    outcome=st.sampled_from(["notice_issued", "manual_review", "rejected", "needs_materials"]),
    reasons=st.lists(
        st.sampled_from([*OTHERS, NO_CATCHMENT, "SMALL_AREA_NOT_UNIQUE"]), unique=True
    ),
)
found = st.builds(
    Classification,
    category=st.sampled_from([None, "A", "B", "C", "D"]),
    school_code=st.just("3205080101"),
    district_code=st.just("320508"),
    reasons=st.lists(st.sampled_from([SEAT_LOCKED, PROPERTY_IN_USE]), unique=True).map(tuple),
    locked_year=st.sampled_from([None, 2022]),
)
placements = st.sampled_from(["allocation", "at_submission"])


def classified(f: Classification) -> Classification:
    """A classification as ``classify`` gives it: no category is NO_CATCHMENT."""
    if f.category is None:
        return Classification(None, None, f.district_code, (*f.reasons, NO_CATCHMENT))
    return f


@given(decisions, found, placements)
def test_rejections_and_missing_materials_stand(d: Decision, f: Classification, p: str) -> None:
    out = under_cohort(POLICY, policy(placement=p), d, classified(f), [], "学校")
    if d.outcome in ("rejected", "needs_materials"):
        assert out is d


@given(decisions, found, placements)
def test_review_exactly_when_another_reason_no_catchment_or_property_in_use(
    d: Decision, f: Classification, p: str
) -> None:
    f = classified(f)
    notes = [r for r in d.reasons if r == "SMALL_AREA_NOT_UNIQUE"]
    out = under_cohort(POLICY, policy(placement=p), d, f, notes, "学校")
    if d.outcome not in ("notice_issued", "manual_review"):
        return
    other = any(r in OTHERS for r in d.reasons)
    review = other or NO_CATCHMENT in f.reasons or PROPERTY_IN_USE in f.reasons
    assert (out.outcome == "manual_review") == review
    assert set(f.reasons) <= set(out.reasons) and set(notes) <= set(out.reasons)
    if not review:  # SEAT_LOCKED alone never sends to review
        eligible = "qualified" if p == "allocation" else "notice_issued"
        assert (out.outcome, out.category, out.school_code) == (eligible, f.category, f.school_code)


@given(decisions, found)
def test_seat_locked_is_told_with_its_year(d: Decision, f: Classification) -> None:
    f = classified(f)
    out = under_cohort(POLICY, policy(), d, f, [], "学校")
    if d.outcome in ("notice_issued", "manual_review") and f.locked_year is not None:
        assert f"{f.locked_year}年" in out.explanation


def test_qualified_says_category_school_and_publication_date() -> None:
    d = Decision(outcome="notice_issued")
    f = Classification("B", "3205080101", "320508")
    out = under_cohort(POLICY, policy(publish_on="07-10"), d, f, [], "苏州市平江实验学校")
    assert out.outcome == "qualified"
    assert out.explanation.startswith("资格审核通过。施教区学校：苏州市平江实验学校，入学类别：B类")
    assert "2026年7月10日公布" in out.explanation
    assert "另行通知" in under_cohort(POLICY, policy(), d, f, [], "学校").explanation
