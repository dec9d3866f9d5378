"""The dashboard's pure helpers: age bands, percentiles, who the weekly 通报 names and why."""

from hypothesis import given
from hypothesis import strategies as st

from ruxue.dashboard.rules import BANDS, age_band, lagging, percentile
from ruxue.reference.districts import district_label

LIMITS = {"min_auto_rate": 0.6, "min_good_rate": 0.9, "max_backlog_days": 5, "max_overdue": 0}


def test_age_bands_cover_every_wait() -> None:
    assert [age_band(d) for d in (0, 1, 2, 3, 4, 7, 8, 400)] == [
        BANDS[0],
        BANDS[0],
        BANDS[1],
        BANDS[1],
        BANDS[2],
        BANDS[2],
        BANDS[3],
        BANDS[3],
    ]


@given(st.lists(st.floats(0, 10_000), min_size=1, max_size=300), st.sampled_from([0.5, 0.95, 0.99]))
def test_the_percentile_is_a_value_with_enough_below_it(values: list[float], q: float) -> None:
    p = percentile(values, q)
    assert p in values
    assert sum(v <= p for v in values) >= q * len(values)
    assert sum(v < p for v in values) < q * len(values)


def test_a_unit_is_named_for_each_threshold_it_misses() -> None:
    fine = {"auto_rate": 0.8, "good_rate": 0.95, "backlog_over": 0, "overdue": 0}
    assert lagging(fine, LIMITS) == []
    assert (
        lagging({**fine, "auto_rate": None, "good_rate": None}, LIMITS) == []
    )  # nothing to judge yet
    bad = {"auto_rate": 0.5, "good_rate": 0.85, "backlog_over": 3, "overdue": 2}
    assert lagging(bad, LIMITS) == [
        "自动审批率50%，低于60%",
        "好评率85.0%，低于90%",
        "3件人工审核等待超过5天",
        "2件差评整改逾期",
    ]


def test_district_labels_are_short() -> None:
    assert district_label("320508") == "姑苏区" and district_label("320583") == "昆山市"
