"""The one writer of a case's status and outcome. Each function checks the move against the
transition table, writes the case's fields and its trace, then hands the ``Transition`` to the
subscribers in the same transaction (archive, e-licence, notify, county outbox…). The subscribers
are registered by the composition root (``ruxue.wiring``): this module never imports them."""

import datetime as dt
import secrets
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.cases.models import Case
from ruxue.cases.repository import add_event
from ruxue.cases.status import Action, Status, allowed
from ruxue.kit.errors import Conflict

REVOKED = "NOTICE_REVOKED"  # the reason code of a case whose notice was revoked


@dataclass(frozen=True)
class TraceEvent:
    """An event of the channel that comes with a move, written before the move's own event."""

    actor: str
    action: str
    detail: Mapping[str, object] = field(default_factory=dict)


class Decided(Protocol):
    """What a decision (of the rules or of a reviewer) sets on the case."""

    @property
    def outcome(self) -> str: ...
    @property
    def school_code(self) -> str | None: ...
    @property
    def category(self) -> str | None: ...
    @property
    def reasons(self) -> list[str]: ...
    @property
    def missing(self) -> list[str]: ...
    @property
    def explanation(self) -> str: ...


@dataclass(frozen=True)
class Transition:
    """A move of a case, as the subscribers see it; ``events`` are the actions of every trace
    event the move wrote, in order (the channel's, the move's own, the final document's)."""

    case: Case
    previous: Status | None
    current: Status
    action: Action
    actor: str
    now: dt.datetime
    detail: Mapping[str, object] = field(default_factory=dict)
    events: tuple[str, ...] = ()


Subscriber = Callable[[AsyncSession, Transition], Awaitable[None]]
_subscribers: list[Subscriber] = []


def subscribe(subscriber: Subscriber) -> None:
    if subscriber not in _subscribers:
        _subscribers.append(subscriber)


def unsubscribe_all() -> None:
    _subscribers.clear()


def subscribers() -> tuple[Subscriber, ...]:
    return tuple(_subscribers)


def check(case: Case, action: Action, target: str) -> Status:
    """The target status, if ``action`` may move the case there; a ``Conflict`` otherwise."""
    previous = Status(case.status) if case.status else None
    if Status(target) not in allowed(action, previous):
        raise Conflict("办件状态已变化，不能执行该操作，请刷新后查看。")
    return Status(target)


async def _publish(session: AsyncSession, transition: Transition) -> Transition:
    for subscriber in _subscribers:
        await subscriber(session, transition)
    return transition


async def _write(session: AsyncSession, case: Case, events: list[TraceEvent]) -> tuple[str, ...]:
    for e in events:
        await add_event(session, case, e.actor, e.action, **e.detail)
    return tuple(e.action for e in events)


async def start(
    session: AsyncSession, case: Case, now: dt.datetime, *events: TraceEvent
) -> Transition:
    """A new case, a draft, with its first events (consent, fetches)."""
    check(case, Action.START, Status.DRAFT)
    case.status = Status.DRAFT
    actor = events[0].actor if events else "system"
    written = await _write(session, case, list(events))
    return await _publish(
        session, Transition(case, None, Status.DRAFT, Action.START, actor, now, events=written)
    )


async def withdraw(session: AsyncSession, case: Case, actor: str, now: dt.datetime) -> Transition:
    previous = case.status
    case.status = check(case, Action.WITHDRAW, Status.WITHDRAWN)
    detail = {"consent_ids": case.consent_ids}
    written = await _write(session, case, [TraceEvent(actor, Action.WITHDRAW, detail)])
    transition = Transition(
        case, Status(previous), Status.WITHDRAWN, Action.WITHDRAW, actor, now, detail, written
    )
    return await _publish(session, transition)


async def decide(
    session: AsyncSession, case: Case, decision: Decided, now: dt.datetime, *events: TraceEvent
) -> Transition:
    """A decision of the rules, the same in every channel: the outcome (and a final document's
    number), the channel's own events, the ``decide`` event, then the final document's event."""
    previous = Status(case.status) if case.status else None
    _set_outcome(case, check(case, Action.DECIDE, decision.outcome), decision, now)
    if case.id is None:  # registered and decided at once (the desk): subscribers need the id
        await session.flush()
    detail: dict[str, object] = {
        "outcome": decision.outcome,
        "reasons": decision.reasons,
        "missing": decision.missing,
        "school_code": decision.school_code,
        "category": decision.category,
    }
    moves = [*events, TraceEvent("system", Action.DECIDE, detail), *_document_events(case)]
    written = await _write(session, case, moves)
    current = Status(case.status)
    transition = Transition(case, previous, current, Action.DECIDE, "system", now, detail, written)
    return await _publish(session, transition)


async def review(
    session: AsyncSession,
    case: Case,
    decision: Decided,
    action: Action,
    actor: str,
    now: dt.datetime,
    **detail: object,
) -> Transition:
    """A reviewer's approval, rejection or request for materials."""
    previous = Status(case.status)
    _set_outcome(case, check(case, action, decision.outcome), decision, now)
    moves = [TraceEvent(actor, action, dict(detail)), *_document_events(case)]
    written = await _write(session, case, moves)
    transition = Transition(
        case, previous, Status(case.status), action, actor, now, detail, written
    )
    return await _publish(session, transition)


async def revoke(
    session: AsyncSession, case: Case, actor: str, now: dt.datetime, reason: str
) -> Transition:
    """撤销学位告知书: the case goes back to the district's review with nothing of the revoked
    decision left on it (school, category, the notice's number and code); why is in ``reasons``."""
    target = check(case, Action.REVOKE, Status.MANUAL_REVIEW)
    detail: dict[str, object] = {"notice_no": case.notice_no, "reason": reason}
    case.outcome = case.status = target
    case.notice_no = case.verify_code = case.notice_issued_at = None
    case.school_code = case.category = case.placement = None
    case.reasons, case.missing = [REVOKED], []
    case.explanation = f"学位告知书已撤销：{reason}。办件转区教育局重新审核。"
    written = await _write(session, case, [TraceEvent(actor, Action.REVOKE, detail)])
    transition = Transition(
        case, Status.NOTICE_ISSUED, target, Action.REVOKE, actor, now, detail, written
    )
    return await _publish(session, transition)


async def qualify(
    session: AsyncSession, case: Case, decision: Decided, now: dt.datetime, *events: TraceEvent
) -> Transition:
    """The rules in an ``allocation`` district: the case is eligible and waits for the run, with
    its category and catchment school on it (no notice yet). The channel's own events come first
    in the trace, then the ``qualify`` event, as with ``decide``."""
    previous = Status(case.status) if case.status else None
    _set_outcome(case, check(case, Action.QUALIFY, Status.QUALIFIED), decision, now)
    if case.id is None:  # registered and qualified at once (the desk)
        await session.flush()
    detail: dict[str, object] = {
        "outcome": Status.QUALIFIED.value,
        "reasons": decision.reasons,
        "school_code": decision.school_code,
        "category": decision.category,
    }
    written = await _write(session, case, [*events, TraceEvent("system", Action.QUALIFY, detail)])
    transition = Transition(
        case, previous, Status.QUALIFIED, Action.QUALIFY, "system", now, detail, written
    )
    return await _publish(session, transition)


async def place(
    session: AsyncSession,
    case: Case,
    decision: Decided,
    placement: str | None,
    actor: str,
    now: dt.datetime,
) -> Transition:
    """The cohort's run places a qualified case: a seat notice for ``decision.school_code``
    (``placement`` "catchment" or "overflow"), or ``manual_review`` with NO_SEAT."""
    previous = Status(case.status)
    _set_outcome(case, check(case, Action.PLACE, decision.outcome), decision, now)
    case.placement = placement if case.status == Status.NOTICE_ISSUED else None
    detail: dict[str, object] = {
        "outcome": decision.outcome,
        "reasons": decision.reasons,
        "school_code": decision.school_code,
        "category": decision.category,
        "placement": case.placement,
    }
    moves = [TraceEvent(actor, Action.PLACE, detail), *_document_events(case)]
    written = await _write(session, case, moves)
    current = Status(case.status)
    transition = Transition(case, previous, current, Action.PLACE, actor, now, detail, written)
    return await _publish(session, transition)


def _set_outcome(case: Case, status: Status, decision: Decided, now: dt.datetime) -> None:
    """The decision on the case; a final one fixes its document's number and verification code."""
    case.outcome = case.status = status
    case.school_code, case.category = decision.school_code, decision.category
    case.reasons, case.missing = decision.reasons, decision.missing
    case.explanation = decision.explanation
    case.submitted_at = case.submitted_at or now  # the app's clock, as the review queue's
    if status == Status.NOTICE_ISSUED and case.notice_no is None:
        case.notices = (case.notices or 0) + 1
        case.notice_no = notice_no(case)
        case.verify_code = secrets.token_urlsafe(12)
        case.notice_issued_at = now
    if status == Status.REJECTED and case.rejection_no is None:
        case.rejection_no = rejection_no(case)
        case.verify_code = secrets.token_urlsafe(12)
        case.rejected_at = now


def _document_events(case: Case) -> list[TraceEvent]:
    """The final document a decision issued, in the trace."""
    if case.outcome == Status.NOTICE_ISSUED:
        return [TraceEvent("system", Status.NOTICE_ISSUED, {"notice_no": case.notice_no})]
    if case.outcome == Status.REJECTED:
        return [TraceEvent("system", "rejection_issued", {"rejection_no": case.rejection_no})]
    return []


def notice_no(case: Case) -> str:
    """The seat notice's number (and its e-licence's), fixed at the decision. A notice issued again
    after a revocation gets a number of its own (``…-2``), so a number names one licence and the
    revoked one stays revoked in the library."""
    first = f"{case.district_code}-{case.year}-{case.case_no[-10:]}"
    return first if case.notices <= 1 else f"{first}-{case.notices}"


def rejection_no(case: Case) -> str:
    """The 不予通过告知书's number, fixed at the decision like the seat notice's."""
    return f"{case.district_code}-{case.year}-BY-{case.case_no[-10:]}"
