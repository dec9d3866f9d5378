"""A policy file as the bureau writes it: read whole, every bad key or value refused by name, the
keys of domain.md left to the shipped files, and every shipped file valid."""

from pathlib import Path

import pytest

from ruxue.policy.cohort_keys import CohortPolicy, read_policy_file
from ruxue.policy.cohort_labels import KEYS, describe
from ruxue.policy.loader import POLICIES
from ruxue.policy.service import shipped_policy

YEAR = 2026
GOOD = (POLICIES / "examples" / "allocation-320508.toml").read_text(encoding="utf-8")


def test_the_example_file_sets_every_key_it_names() -> None:
    policy = read_policy_file(GOOD, YEAR)
    assert isinstance(policy, CohortPolicy)
    assert (policy.placement, policy.publish_on) == ("allocation", "07-10")
    assert policy.seat_lock_years == {"primary": 6, "junior": 3}
    assert policy.priority_groups == ("military", "talent") and policy.points_min == 60


@pytest.mark.parametrize(
    ("line", "named"),
    [
        ('placement = "lottery"', "placement：'lottery'"),
        ('publish_on = "02-30"', "publish_on：'02-30'"),
        ("hukou_before = 2026-03-31", "hukou_before："),  # a TOML date, not a string
        ('property_before = "31/03"', "property_before：'31/03'"),
        ("seat_lock_years = { senior = 3 }", "seat_lock_years.senior"),
        ("seat_lock_years = { primary = 0 }", "seat_lock_years.primary"),
        ('priority_groups = "military"', "priority_groups：'military'"),
        ("priority_groups = [1]", "priority_groups.0：1"),
        ("permit_months = -1", "permit_months：-1"),
        ("insurance_months = 1.5", "insurance_months：1.5"),
        ("points_min = -5", "points_min：-5"),
        ("seats = 3", "seats：3 不是可设置的政策项"),
        ("year = 2026", "year：2026"),
    ],
)
def test_a_bad_key_or_value_is_refused_by_name(line: str, named: str) -> None:
    errors = read_policy_file(f"sibling_priority = false\n{line}\n", YEAR)
    assert isinstance(errors, list) and len(errors) == 1, errors
    assert errors[0].startswith(named), errors


def test_every_bad_key_is_named_at_once() -> None:
    text = 'placement = "lottery"\npublish_on = "13-01"\nfoo = 1\npermit_months = "six"\n'
    errors = read_policy_file(text, YEAR)
    assert isinstance(errors, list)
    assert sorted(e.split("：")[0] for e in errors) == [
        "foo",
        "permit_months",
        "placement",
        "publish_on",
    ]


def test_the_keys_of_the_shipped_files_are_refused_by_name() -> None:
    text = 'area_threshold_m2 = 12.0\n[windows.primary]\nopens = "05-01T09:00"\ncloses = "x"\n'
    errors = read_policy_file(text, YEAR)
    assert isinstance(errors, list)
    assert [e.split("：")[0] for e in errors] == ["area_threshold_m2", "windows"]
    assert "随系统发布的政策文件" in errors[0]


def test_allocation_needs_its_publication_date() -> None:
    errors = read_policy_file('placement = "allocation"\n', YEAR)
    assert isinstance(errors, list) and errors[0].startswith("publish_on：未设置")


def test_a_file_that_is_not_toml_is_refused_in_chinese() -> None:
    errors = read_policy_file('placement = "allocation\n', YEAR)
    assert isinstance(errors, list) and errors[0].startswith("文件不是有效的 TOML 格式")


def test_every_shipped_file_is_a_valid_policy_and_today_is_at_submission() -> None:
    for path in POLICIES.glob("[0-9]*/*.toml"):
        policy = shipped_policy(path.stem, int(path.parent.name))
        assert policy.placement == "at_submission", path
    assert shipped_policy("320508", YEAR) == CohortPolicy(year=YEAR)


def test_show_names_every_key_with_its_default() -> None:
    policy = read_policy_file(GOOD, YEAR)
    assert isinstance(policy, CohortPolicy)
    lines = {line.key: line for line in describe(policy)}
    assert tuple(lines) == KEYS == tuple(k for k in CohortPolicy.model_fields if k != "year")
    assert lines["permit_months"].default and not lines["placement"].default
    assert lines["publish_on"].meaning == "2026年07月10日"
    assert lines["seat_lock_years"].meaning == "初中 3 年、小学 6 年"
    assert all(line.label for line in lines.values())


def test_every_example_file_in_the_docs_is_valid() -> None:
    docs = Path(__file__).resolve().parents[2] / "docs" / "policy.md"
    blocks = docs.read_text(encoding="utf-8").split("```toml\n")[1:]
    assert blocks, "docs/policy.md shows an example file"
    for block in blocks:
        assert isinstance(read_policy_file(block.split("```")[0], YEAR), CohortPolicy), block
