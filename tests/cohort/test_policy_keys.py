"""The policy keys of cohort.md: defaults, dates as strings, every bad key refused by name."""

import datetime as dt
import tomllib

import pytest

from ruxue.cohort.policy_keys import CohortPolicy, validate_policy
from tests.support.cohort import YEAR

GOOD = """
placement = "allocation"
publish_on = "07-10"
hukou_before = "2025-08-31"
property_before = "08-31"
seat_lock_years = { primary = 6, junior = 3 }
priority_groups = ["military", "talent"]
sibling_priority = true
permit_months = 12
insurance_months = 24
points_min = 80.5
"""


def test_policy_keys_defaults_when_absent() -> None:
    policy = validate_policy({}, YEAR)
    assert isinstance(policy, CohortPolicy)
    assert (policy.placement, policy.publish_on, policy.seat_lock_years) == (
        "at_submission",
        None,
        {},
    )
    assert (policy.priority_groups, policy.sibling_priority) == ((), False)
    assert (policy.permit_months, policy.insurance_months, policy.points_min) == (6, 1, 0)


def test_policy_keys_dates_month_day_or_full_date() -> None:
    policy = validate_policy(tomllib.loads(GOOD), YEAR)
    assert isinstance(policy, CohortPolicy)
    assert policy.date("publish_on") == dt.date(YEAR, 7, 10)
    assert policy.date("hukou_before") == dt.date(2025, 8, 31)
    assert policy.date("property_before") == dt.date(YEAR, 8, 31)
    assert policy.seat_lock_years == {"primary": 6, "junior": 3}
    assert policy.priority_groups == ("military", "talent")
    assert (policy.permit_months, policy.insurance_months, policy.points_min) == (12, 24, 80.5)


@pytest.mark.parametrize(
    ("toml", "named"),
    [
        ('placement = "lottery"', "placement：'lottery'"),
        ('publish_on = "13-01"', "publish_on：'13-01'"),
        ('hukou_before = "02-29"', "hukou_before：'02-29'"),  # 2026 is no leap year
        ("property_before = 2026-08-31", "property_before：datetime.date(2026, 8, 31)"),
        ('publish_on = "7-1"', "publish_on：'7-1'"),
        ("seat_lock_years = { primary = 0 }", "seat_lock_years.primary：0"),
        ("seat_lock_years = { kindergarten = 3 }", "seat_lock_years.kindergarten：'kindergarten'"),
        ("seat_lock_years = 6", "seat_lock_years：6"),
        ('priority_groups = ["military", 7]', "priority_groups.1：7"),
        ('sibling_priority = "yes"', "sibling_priority：'yes'"),
        ("permit_months = -1", "permit_months：-1"),
        ("insurance_months = 2.5", "insurance_months：2.5"),
        ('points_min = "high"', "points_min：'high'"),
        ("seat_lock = 6", "seat_lock：6"),
        ("year = 2027", "year：2027"),
    ],
)
def test_policy_keys_bad_value_refused_naming_key_and_value(toml: str, named: str) -> None:
    errors = validate_policy(tomllib.loads(toml), YEAR)
    assert isinstance(errors, list)
    assert len(errors) == 1
    assert errors[0].startswith(named)
    assert errors[0].isascii() is False  # the reason is said in Chinese


def test_policy_keys_every_bad_key_reported_at_once() -> None:
    errors = validate_policy(tomllib.loads('placement = "x"\npoints_min = -1\nfoo = 1'), YEAR)
    assert isinstance(errors, list)
    assert [e.split("：")[0] for e in errors] == ["placement", "points_min", "foo"]
    assert "不是可设置的政策项" in errors[2]
    assert "at_submission 或 allocation" in errors[0]


def test_policy_keys_leap_day_in_a_leap_year() -> None:
    policy = validate_policy({"hukou_before": "02-29"}, 2028)
    assert isinstance(policy, CohortPolicy)
    assert policy.date("hukou_before") == dt.date(2028, 2, 29)
