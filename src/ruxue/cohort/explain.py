"""Why a case was placed where it was, in plain Chinese (``cohort.md``: "A family sees … why it
was placed where it was"). Pure."""

from collections.abc import Mapping

from ruxue.cohort.run import NO_SEAT, OVERFLOW, Seat

OPEN = "未满额，符合条件的均已录取"


def why_placed(
    seat: Seat, category: str, home: str, names: Mapping[str, str], lines: Mapping[str, str | None]
) -> str:
    """The family's explanation of ``seat``, for a case of ``category`` whose catchment school is
    ``home``, with the published lines (录取线) of the run."""
    home_name, home_line = names.get(home, home), lines.get(home) or OPEN
    if seat.school_code is None:
        return (
            f"施教区学校{home_name}学位已满（录取线：{home_line}），统筹学校也没有剩余学位。"
            "区教育局将为孩子另行安排学位，结果将短信通知。"
        )
    if seat.placement == OVERFLOW:
        name = names.get(seat.school_code, seat.school_code)
        return (
            f"施教区学校{home_name}学位已满（录取线：{home_line}），孩子排在录取线之后；"
            f"按全区统一排序，由区教育局统筹安排到{name}（统筹学位）。"
        )
    return f"按{category}类在施教区学校{home_name}获得学位（该校录取线：{home_line}）。"


def reasons_after(seat: Seat, reasons: list[str]) -> list[str]:
    """The case's reasons (SEAT_LOCKED… kept), with NO_SEAT when it got no seat."""
    kept = [r for r in reasons if r != NO_SEAT]
    return kept if seat.school_code is not None else [*kept, NO_SEAT]
