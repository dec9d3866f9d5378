"""Why a case was placed where it was, in plain Chinese, and the decision the lifecycle writes
(``cohort.md``: "A family sees … why it was placed where it was"). Pure."""

from collections.abc import Mapping
from dataclasses import dataclass, field

from ruxue.cases.status import Status
from ruxue.cohort.run import NO_SEAT, OVERFLOW, Seat

OPEN = "未满额，符合条件的均已录取"


@dataclass(frozen=True)
class Placed:
    """A placement as ``lifecycle.place`` takes it (``lifecycle.Decided``)."""

    outcome: str
    school_code: str | None
    category: str | None
    reasons: list[str]
    explanation: str
    placement: str | None
    missing: list[str] = field(default_factory=list)


def placed(
    seat: Seat,
    category: str,
    home: str,
    reasons: list[str],
    names: Mapping[str, str],
    lines: Mapping[str, str | None],
) -> Placed:
    """The decision for ``seat`` of a case of ``category`` whose catchment school is ``home``;
    ``reasons`` already on the case (SEAT_LOCKED…) are kept."""
    kept = [r for r in reasons if r != NO_SEAT]
    home_name, home_line = names.get(home, home), lines.get(home) or OPEN
    if seat.school_code is None:
        text = (
            f"施教区学校{home_name}学位已满（录取线：{home_line}），统筹学校也没有剩余学位。"
            "区教育局将为孩子另行安排学位，结果将短信通知。"
        )
        return Placed(Status.MANUAL_REVIEW, None, category, [*kept, NO_SEAT], text, None)
    if seat.placement == OVERFLOW:
        name = names.get(seat.school_code, seat.school_code)
        text = (
            f"施教区学校{home_name}学位已满（录取线：{home_line}），孩子排在录取线之后；"
            f"按全区统一排序，由区教育局统筹安排到{name}（统筹学位）。"
        )
    else:
        text = f"按{category}类在施教区学校{home_name}获得学位（该校录取线：{home_line}）。"
    return Placed(Status.NOTICE_ISSUED, seat.school_code, category, kept, text, seat.placement)
