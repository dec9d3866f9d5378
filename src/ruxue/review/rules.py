"""Pure rules of district review."""

import datetime as dt
from dataclasses import dataclass

from ruxue.policy.loader import CHINA


def waiting_days(submitted_at: dt.datetime | None, now: dt.datetime) -> int:
    """Whole calendar days (Beijing time) a case has waited since it was submitted, on the app's
    clock; never negative (a case submitted 'after' a demo clock set in the past waited 0 days)."""
    if submitted_at is None:
        return 0
    days = (now.astimezone(CHINA).date() - submitted_at.astimezone(CHINA).date()).days
    return max(days, 0)


# why a case waits for a person, in the reviewer's words (the family reads REASONS' sentences)
QUEUE_REASONS = {
    "GUARDIANSHIP_UNVERIFIED": "监护关系待核实",
    "SINGLE_PARENT_CONTESTED": "单亲申报与婚姻登记不符",
    "SMALL_AREA_NOT_UNIQUE": "人均面积不足",
    "NO_CATCHMENT": "不在任何施教区",
    "DATA_SOURCE_UNAVAILABLE": "部门数据未取到",
    "UPLOADED_MATERIALS": "上传材料待核验",
    "NOTICE_REVOKED": "告知书已撤销，重新审核",
}
WAITING_FOR_FAMILY = "NEEDS_MATERIALS"  # not a reason code: the family's turn, materials asked
QUEUE_FILTERS = {**QUEUE_REASONS, WAITING_FOR_FAMILY: "待家长补充材料"}
SORTS = {"waiting": "等待最久在前", "newest": "最新提交在前", "reason": "按原因"}


@dataclass(frozen=True)
class QueueRow:
    case_no: str
    child: str
    status: str
    reasons: tuple[str, ...]  # codes of QUEUE_FILTERS
    submitted_at: dt.datetime | None
    days: int

    @property
    def reason_words(self) -> str:
        return "；".join(QUEUE_FILTERS[r] for r in self.reasons) or "其他"


def queue_reasons(status: str, reasons: list[str]) -> tuple[str, ...]:
    """The codes a queue row is filtered by: its review reasons, or that the family's turn it is."""
    if status == "needs_materials":
        return (WAITING_FOR_FAMILY,)
    return tuple(r for r in reasons if r in QUEUE_REASONS)


def arrange(rows: list[QueueRow], reason: str = "", sort: str = "waiting") -> list[QueueRow]:
    """The queue filtered by one reason (or none) and sorted (longest waiting first by default)."""
    kept = [r for r in rows if not reason or reason in r.reasons]
    if sort == "newest":
        return sorted(kept, key=lambda r: (r.days, r.case_no))
    if sort == "reason":
        return sorted(kept, key=lambda r: (r.reason_words, -r.days, r.case_no))
    return sorted(kept, key=lambda r: (-r.days, r.case_no))
