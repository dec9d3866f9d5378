"""The statuses of a case, their named groups, and which action may move a case from which status
to which. Pure: no I/O. The only place the status words are written out."""

from collections.abc import Mapping
from enum import StrEnum


class Status(StrEnum):
    DRAFT = "draft"
    NEEDS_MATERIALS = "needs_materials"
    MANUAL_REVIEW = "manual_review"
    NOTICE_ISSUED = "notice_issued"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    QUALIFIED = "qualified"  # the cohort work: found eligible, waiting for a seat


class Action(StrEnum):
    """What moves a case; the trace event of the move carries the same word."""

    START = "start"
    DECIDE = "decide"  # the rules, in any channel
    APPROVE = "review_approve"
    REJECT = "review_reject"
    REQUEST_MATERIALS = "review_request_materials"
    WITHDRAW = "withdraw"
    REVOKE = "notice_revoked"
    QUALIFY = "qualify"
    PLACE = "place"  # the cohort's run: a qualified case gets its seat, or none (NO_SEAT)


# named groups: say which, never spell the words out again
ENDED = (Status.WITHDRAWN, Status.REJECTED)  # frees the child for a new case
WAITING = (Status.MANUAL_REVIEW, Status.NEEDS_MATERIALS)  # a reviewer's (or the family's) turn
IN_PROCESS = WAITING  # 办理: held by a reviewer or by missing materials
FINAL = (Status.NOTICE_ISSUED, Status.REJECTED)  # decided for good: a final document, filed
FINISHED = (*FINAL, Status.WITHDRAWN)  # 办结: nothing more will happen
OUTCOMES = (  # what the rules (and a review) may decide
    Status.NOTICE_ISSUED,
    Status.NEEDS_MATERIALS,
    Status.MANUAL_REVIEW,
    Status.REJECTED,
)
SUBMITTED = tuple(s for s in Status if s is not Status.DRAFT)  # staff see these

# action -> {from: the statuses it may go to}; ``None`` is a case not yet written
TRANSITIONS: Mapping[Action, Mapping[Status | None, frozenset[Status]]] = {
    Action.START: {None: frozenset({Status.DRAFT})},
    Action.DECIDE: {
        None: frozenset(OUTCOMES),  # registered and decided at once (the desk)
        Status.DRAFT: frozenset(OUTCOMES),
        Status.NEEDS_MATERIALS: frozenset(OUTCOMES),  # materials completed
        Status.QUALIFIED: frozenset(OUTCOMES),
    },
    Action.APPROVE: {s: frozenset({Status.NOTICE_ISSUED}) for s in WAITING},
    Action.REJECT: {s: frozenset({Status.REJECTED}) for s in WAITING},
    Action.REQUEST_MATERIALS: {s: frozenset({Status.NEEDS_MATERIALS}) for s in WAITING},
    # the guardian withdraws a draft; after submission only while it waits, a qualified case
    # included (it waits for the allocation run); the county reports 办结
    Action.WITHDRAW: {
        s: frozenset({Status.WITHDRAWN}) for s in (Status.DRAFT, *WAITING, Status.QUALIFIED)
    },
    Action.REVOKE: {Status.NOTICE_ISSUED: frozenset({Status.MANUAL_REVIEW})},
    # the rules in an ``allocation`` district: eligible, waiting for the run (any channel: the
    # desk registers and qualifies at once; materials completed; a reviewer's approval)
    Action.QUALIFY: {
        s: frozenset({Status.QUALIFIED})
        for s in (None, Status.DRAFT, Status.NEEDS_MATERIALS, Status.MANUAL_REVIEW)
    },
    Action.PLACE: {Status.QUALIFIED: frozenset({Status.NOTICE_ISSUED, Status.MANUAL_REVIEW})},
}


def allowed(action: Action, current: Status | None) -> frozenset[Status]:
    """The statuses ``action`` may move a case in ``current`` to (none: not allowed)."""
    return TRANSITIONS[action].get(current, frozenset())


def reachable() -> frozenset[Status]:
    """Every status some path from a new case can reach."""
    return frozenset(s for moves in TRANSITIONS.values() for to in moves.values() for s in to)


def sql_list(statuses: tuple[Status, ...]) -> str:
    """``('a', 'b')`` for a partial index's SQL condition."""
    return "(" + ", ".join(f"'{s.value}'" for s in statuses) + ")"
