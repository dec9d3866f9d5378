"""The review queue's reasons, filter and sort (pure): a row filtered by a reason has it, the
default order puts the longest waiting first, and the family's turn is a reason of its own."""

from hypothesis import given
from hypothesis import strategies as st

from ruxue.review.rules import (
    QUEUE_FILTERS,
    QUEUE_REASONS,
    WAITING_FOR_FAMILY,
    QueueRow,
    arrange,
    queue_reasons,
)

CODES = sorted(QUEUE_FILTERS)
rows = st.lists(
    st.builds(
        QueueRow,
        case_no=st.text("0123456789", min_size=4, max_size=4),
        child=st.just("王*明"),
        status=st.just("人工审核中"),
        reasons=st.lists(st.sampled_from(CODES), max_size=3, unique=True).map(tuple),
        submitted_at=st.none(),
        days=st.integers(0, 60),
    ),
    max_size=30,
)


@given(rows, st.sampled_from(["", *CODES]))
def test_a_filter_keeps_exactly_the_rows_with_that_reason(
    queue: list[QueueRow], reason: str
) -> None:
    kept = arrange(queue, reason)
    assert all(not reason or reason in r.reasons for r in kept)
    assert len(kept) == sum(1 for r in queue if not reason or reason in r.reasons)


@given(rows)
def test_the_longest_waiting_come_first_and_newest_reverses_it(queue: list[QueueRow]) -> None:
    days = [r.days for r in arrange(queue)]
    assert days == sorted(days, reverse=True)
    assert [r.days for r in arrange(queue, sort="newest")] == sorted(days)


def test_reasons_are_the_reviewers_words_and_the_familys_turn_is_its_own() -> None:
    assert queue_reasons("needs_materials", ["UPLOADED_MATERIALS"]) == (WAITING_FOR_FAMILY,)
    found = queue_reasons("manual_review", ["UPLOADED_MATERIALS", "SOME_NOTE"])
    assert found == ("UPLOADED_MATERIALS",)
    row = QueueRow("1", "王*明", "人工审核中", found, None, 2)
    assert row.reason_words == "上传材料待核验" and "您" not in "".join(QUEUE_REASONS.values())
