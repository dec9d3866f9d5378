"""Found walking the demo: a rank and a published line name a priority group in Chinese
(军人子女), never by its code (military), for families and the public alike."""

from ruxue.cohort.rank import line_text, own_rank_text, rank_key
from ruxue.cohort.records import Priority
from ruxue.policy.cohort_labels import describe
from tests.support.cohort import DISTRICT, candidate, policy


def test_a_priority_line_names_the_group_in_chinese() -> None:
    rules = policy(priority_groups=["military", "talent"])
    child = candidate(1, "C", priorities=(Priority("military", DISTRICT),))
    text = line_text(rules, rank_key(rules, child, "00000000", DISTRICT))
    assert text.startswith("优先群体 军人子女 C类") and "military" not in text


def test_the_policy_page_names_the_groups_in_chinese() -> None:
    rules = policy(priority_groups=["military", "talent"])
    shown = {line.key: line.meaning for line in describe(rules)}
    assert shown["priority_groups"] == "军人子女、高层次人才子女"


def test_a_family_without_a_move_in_date_is_told_so_not_ranked_first() -> None:
    rules = policy()
    child = candidate(2, "C")  # no moved_in_on in the records (a version-1 dataset)
    text = own_rank_text(rules, child, DISTRICT)
    assert text == "C类 日期无记录（按最早的日期排序）"
