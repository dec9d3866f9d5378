"""The rank at a school and the public lottery (``cohort.md``, "Rank at a school")."""

import datetime as dt
from dataclasses import dataclass

from ruxue.cohort.policy_keys import CohortPolicy
from ruxue.cohort.records import Candidate
from ruxue.kit.crypto import sm3_hex
from ruxue.policy.cohort_keys import group_label

CATEGORIES = ("A", "B", "C", "D")
EARLIEST = dt.date.min  # a missing moved_in_on ranks as the earliest possible date
NO_DATE = "日期无记录（按最早的日期排序）"


@dataclass(frozen=True, slots=True, order=True)
class RankKey:
    """Lower ranks first. Every field up to ``lottery`` is the rule; ``case_id`` only makes the
    order total (one child has one case, so it never decides between two children)."""

    priority: int  # index of the first group of ``priority_groups`` the child is in; else len
    category: int
    sibling: int  # 0: an elder sibling is enrolled at this school (with sibling_priority)
    date: dt.date  # A: the later of registered_on and moved_in_on; B: registered_on; C: moved_in_on
    minus_points: float  # D: points, higher first
    permit_from: dt.date  # D: the permit's valid_from, earlier first
    lottery: str
    case_id: str

    @property
    def merit(self) -> tuple[int, int, int, dt.date, float, dt.date]:
        """The key without the lottery: what a different seed cannot change."""
        return (
            self.priority,
            self.category,
            self.sibling,
            self.date,
            self.minus_points,
            self.permit_from,
        )


def lottery(seed: str, id_number: str) -> str:
    """SM3 of the UTF-8 bytes of the seed in lower case, ":" and the ID number (X upper case)."""
    return sm3_hex(f"{seed.lower()}:{id_number.upper()}".encode())


def priority_index(policy: CohortPolicy, candidate: Candidate, district: str) -> int:
    """The first of the policy's groups the child is listed in for this district."""
    groups = {p.group for p in candidate.priorities if p.district_code == district}
    named = [i for i, group in enumerate(policy.priority_groups) if group in groups]
    return min(named, default=len(policy.priority_groups))


def category_date(candidate: Candidate) -> dt.date:
    moved = candidate.moved_in_on or EARLIEST
    registered = candidate.registered_on or EARLIEST
    return {"A": max(registered, moved), "B": registered, "C": moved}.get(
        candidate.category, EARLIEST
    )


def rank_key(
    policy: CohortPolicy,
    candidate: Candidate,
    seed: str,
    district: str,
    at_school: str | None = None,
) -> RankKey:
    """The key at ``at_school`` (step 1 of the run: sibling priority counts there), or across the
    district when None (step 2: no sibling priority)."""
    sibling = policy.sibling_priority and at_school in candidate.sibling_schools
    is_d = candidate.category == "D"
    return RankKey(
        priority=priority_index(policy, candidate, district),
        category=CATEGORIES.index(candidate.category),
        sibling=0 if sibling else 1,
        date=category_date(candidate),
        minus_points=-candidate.points if is_d else 0.0,
        permit_from=(candidate.permit_from or EARLIEST) if is_d else EARLIEST,
        lottery=lottery(seed, candidate.id_number),
        case_id=candidate.case_id,
    )


def own_rank_text(
    policy: CohortPolicy, candidate: Candidate, district: str, at_school: str | None = None
) -> str:
    """A family's own rank key in words, before the lottery is drawn (e.g. "A类 2019-06-01"); a
    date the records do not hold says so, not a bare "最早" a family reads as "ranked first"."""
    text = line_text(policy, rank_key(policy, candidate, "", district, at_school))
    return text.removesuffix("最早") + NO_DATE if text.endswith(" 最早") else text


def line_text(policy: CohortPolicy, key: RankKey, with_lottery: bool = False) -> str:
    """A rank as the published 录取线 says it, e.g. "B类 2019-05-01"."""
    parts = []
    if key.priority < len(policy.priority_groups):
        parts.append(f"优先群体 {group_label(policy.priority_groups[key.priority])}")
    category = CATEGORIES[key.category]
    parts.append(f"{category}类")
    if key.sibling == 0:
        parts.append("兄姐在读")
    if category == "D":
        parts += [f"{-key.minus_points:g}分", f"居住证 {key.permit_from.isoformat()}"]
    else:
        parts.append("最早" if key.date == EARLIEST else key.date.isoformat())
    if with_lottery:
        parts.append(f"摇号 {key.lottery[:8]}")
    return " ".join(parts)
