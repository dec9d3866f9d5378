"""The transition table: pure, walked by Hypothesis. No path of actions reaches a status the table
does not name, an action refused leaves the case where it was, and the named groups agree."""

from hypothesis import given
from hypothesis import strategies as st

from ruxue.cases.lifecycle import check
from ruxue.cases.models import Case
from ruxue.cases.status import (
    ENDED,
    FINAL,
    FINISHED,
    IN_PROCESS,
    OUTCOMES,
    TRANSITIONS,
    WAITING,
    Action,
    Status,
    allowed,
    reachable,
)
from ruxue.kit.errors import Conflict


@given(st.lists(st.tuples(st.sampled_from(Action), st.sampled_from(Status)), max_size=40))
def test_no_path_leaves_the_table(path: list[tuple[Action, Status]]) -> None:
    """Any sequence of attempted moves: the lifecycle's check lets through only what the table
    names, and a refused move leaves the case where it was."""
    case = Case()
    for action, target in path:
        before = Status(case.status) if case.status else None
        try:
            case.status = check(case, action, target)
        except Conflict:
            assert target not in allowed(action, before)
            assert case.status == before
        else:
            assert target in allowed(action, before) and case.status in reachable()


def test_every_status_is_reachable_and_a_new_case_only_starts_or_is_decided_at_once() -> None:
    assert reachable() == frozenset(Status)
    at_once = {a for a, moves in TRANSITIONS.items() if None in moves}
    assert at_once == {Action.START, Action.DECIDE, Action.QUALIFY}  # the desk: decided at once


def test_a_final_decision_is_only_undone_by_revocation() -> None:
    leaving_final = {
        (action, source)
        for action, moves in TRANSITIONS.items()
        for source in moves
        if source in FINISHED
    }
    assert leaving_final == {(Action.REVOKE, Status.NOTICE_ISSUED)}
    assert allowed(Action.REVOKE, Status.NOTICE_ISSUED) == {Status.MANUAL_REVIEW}


def test_the_groups() -> None:
    assert set(ENDED) == {Status.WITHDRAWN, Status.REJECTED}
    assert set(FINAL) <= set(OUTCOMES) and set(WAITING) <= set(OUTCOMES)
    assert set(IN_PROCESS).isdisjoint(FINISHED)
    assert Status.NOTICE_ISSUED.value == "notice_issued"  # the stored word does not change


def test_a_qualified_case_waits_for_the_run_and_the_family_may_withdraw_it() -> None:
    """Qualified (allocation): not a reviewer's turn, not finished, not final; withdrawable."""
    assert Status.QUALIFIED not in (*IN_PROCESS, *FINISHED, *ENDED)
    assert allowed(Action.WITHDRAW, Status.QUALIFIED) == {Status.WITHDRAWN}
    assert Status.QUALIFIED in allowed(Action.QUALIFY, Status.NEEDS_MATERIALS)
    assert Status.NOTICE_ISSUED in allowed(Action.DECIDE, Status.QUALIFIED)
