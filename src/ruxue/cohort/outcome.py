"""The decision of ``policy.rules.decide`` under the cohort rules (``cohort.md``, "Category" and
"Placement mode"). Pure: the classification comes from ``cohort.rules.classify``.

Rejections and missing materials stand as decided. Otherwise the category and catchment school are
the classification's; ``NO_CATCHMENT`` and ``PROPERTY_IN_USE`` send the case to review,
``SEAT_LOCKED`` is only told; in an ``allocation`` district an eligible case is ``qualified``
instead of getting its notice."""

import datetime as dt

import msgspec

from ruxue.cases.status import Status
from ruxue.cohort.policy_keys import CohortPolicy
from ruxue.cohort.rules import NO_CATCHMENT, PROPERTY_IN_USE, SEAT_LOCKED, Classification
from ruxue.policy.explain import CATEGORIES, explain, reason_text
from ruxue.policy.loader import Policy
from ruxue.policy.rules import Decision

GOES_ON = (Status.NOTICE_ISSUED, Status.MANUAL_REVIEW)  # the outcomes the category decides
TO_REVIEW = (NO_CATCHMENT, PROPERTY_IN_USE)


def under_cohort(
    policy: Policy,
    cohort: CohortPolicy,
    decision: Decision,
    found: Classification,
    notes: list[str],
    school_name: str | None,
) -> Decision:
    """``notes``: the placement's notes of ``domain.md`` (``SMALL_AREA_NOT_UNIQUE``), told, never
    a reason for review by themselves."""
    if decision.outcome not in GOES_ON:
        return decision
    others = [r for r in decision.reasons if r not in notes and r != NO_CATCHMENT]
    reasons = list(dict.fromkeys([*others, *found.reasons, *notes]))
    if others or set(TO_REVIEW) & set(found.reasons):
        out = Decision(outcome=Status.MANUAL_REVIEW, reasons=reasons)
    else:
        out = Decision(
            outcome=Status.QUALIFIED if cohort.placement == "allocation" else Status.NOTICE_ISSUED,
            school_code=found.school_code,
            school_name=school_name,
            category=found.category,
            reasons=reasons,
        )
    out.explanation = explanation(policy, cohort, out, found.locked_year)
    return out


def explanation(
    policy: Policy, cohort: CohortPolicy, decision: Decision, locked_year: int | None
) -> str:
    """In plain Chinese; a seat lock with the year the property gave its seat."""
    told = msgspec.structs.replace(
        decision, reasons=[r for r in decision.reasons if r != SEAT_LOCKED]
    )
    if decision.outcome == Status.QUALIFIED:
        text = qualified_text(cohort, decision) + "".join(
            reason_text(r, policy) for r in told.reasons
        )
    else:
        text = explain(policy, told)
    return text + (locked_text(locked_year) if locked_year is not None else "")


def qualified_text(cohort: CohortPolicy, decision: Decision) -> str:
    category = CATEGORIES[decision.category or ""]
    school = decision.school_name or decision.school_code
    return (
        f"资格审核通过。施教区学校：{school}，入学类别：{category}。"
        f"{publish_text(cohort.date('publish_on'))}"
    )


def publish_text(day: dt.date | None) -> str:
    when = f"将于{day.year}年{day.month}月{day.day}日" if day else "将另行通知"
    return f"区教育局按入学类别和顺位统一安排学位，录取结果{when}公布，届时发放学位告知书。"


def locked_text(year: int) -> str:
    return (
        f"所选房产已于{year}年为其他家庭的子女提供过同学段学位（一房一学位），"
        "在限定年限内不再提供学位，本次报名按未使用该房产办理。"
    )
