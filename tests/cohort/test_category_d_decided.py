"""Category D (新市民) in the decision: a family with no catchment by property or hukou is D when a
parent's residence permit, insurance and points meet the policy (fed through the adapters of
``cohort.sources``, as dataset version 2 will give them); the applicant parent is the one with
more points."""

import datetime as dt
from pathlib import Path

import pytest

from ruxue.cases.models import Case
from ruxue.cohort.records import Insurance, Permit
from ruxue.cohort.service import Judged, judge
from ruxue.kit.db import Database
from ruxue.policy.facts import Facts
from ruxue.policy.loader import load_policy
from ruxue.policy.rules import decide
from ruxue.reference.repository import school_refs
from tests.support.builders import family, with_certificates
from tests.support.cohort_cases import feed, shipped_policy

NOW = dt.datetime(2026, 6, 15, 2, 0, tzinfo=dt.UTC)
ALLOCATION = 'placement = "allocation"\npoints_min = 60\n'


def permit(number: str, valid_from: dt.date) -> Permit:
    return Permit(number, "320508", "GS-PJ-002", valid_from, dt.date(2028, 1, 1))


def newcomers() -> Facts:
    """A family whose booklet is outside every catchment and who chose no property."""
    return with_certificates(family(compound="GS-NONE-9"))


async def judged(db: Database, facts: Facts, tmp_path: Path, toml: str = ALLOCATION) -> Judged:
    case = Case(year=2026, segment="primary", district_code="320508")
    with shipped_policy(tmp_path, toml):
        async with db.read_session() as session:
            decision = decide(load_policy(2026, "320508"), facts, await school_refs(session))
            return await judge(session, case, facts, decision, NOW)


async def test_category_d_no_catchment_without_a_permit(
    schools: None, db: Database, tmp_path: Path
) -> None:
    found = await judged(db, newcomers(), tmp_path)
    assert (found.decision.outcome, found.decision.reasons) == ("manual_review", ["NO_CATCHMENT"])


async def test_category_d_the_parent_with_more_points_is_the_applicant_parent(
    schools: None, db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    facts = newcomers()
    father, mother = facts.guardian.id_number, facts.spouse.id_number  # type: ignore[union-attr]
    feed(
        monkeypatch,
        permits_of={
            father: (permit("F-1", dt.date(2024, 1, 1)),),
            mother: (permit("M-1", dt.date(2025, 3, 1)),),
        },
        insurance_of={father: (Insurance("320500", 24),), mother: (Insurance("320500", 12),)},
        points_of={father: 70.0, mother: 95.5},
    )
    found = await judged(db, facts, tmp_path)
    assert found.decision.outcome == "qualified"
    assert (found.decision.category, found.decision.school_code) == ("D", "3205080101")
    assert found.found is not None
    assert (found.found.points, found.found.permit_from) == (95.5, dt.date(2025, 3, 1))
    assert "D类" in found.decision.explanation


@pytest.mark.parametrize(
    ("valid_from", "months", "points"),
    [
        (dt.date(2026, 1, 1), 12, 80.0),  # permit issued less than 6 months before applying
        (dt.date(2024, 1, 1), 0, 80.0),  # no insurance month paid in the city
        (dt.date(2024, 1, 1), 12, 59.0),  # under points_min
    ],
)
async def test_category_d_each_condition_is_needed(
    schools: None, db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    valid_from: dt.date, months: int, points: float,
) -> None:  # fmt: skip
    facts = newcomers()
    father = facts.guardian.id_number
    feed(
        monkeypatch,
        permits_of={father: (permit("F-1", valid_from),)},
        insurance_of={father: (Insurance("320500", months),)},
        points_of={father: points},
    )
    found = await judged(db, facts, tmp_path)
    assert (found.decision.outcome, found.decision.reasons) == ("manual_review", ["NO_CATCHMENT"])


async def test_category_d_at_submission_issues_the_notice(
    schools: None, db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    facts = newcomers()
    father = facts.guardian.id_number
    feed(
        monkeypatch,
        permits_of={father: (permit("F-1", dt.date(2024, 1, 1)),)},
        insurance_of={father: (Insurance("320500", 12),)},
        points_of={father: 61.0},
    )
    found = await judged(db, facts, tmp_path, 'placement = "at_submission"\npoints_min = 60\n')
    assert (found.decision.outcome, found.decision.category) == ("notice_issued", "D")
