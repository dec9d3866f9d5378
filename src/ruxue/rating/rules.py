"""好差评 rules as pure functions: the holiday calendar and working-day deadlines, a rating's
effective level, the window to change it, escalation, and the published figures."""

import datetime as dt
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from ruxue.kit.errors import RuxueError

HERE = Path(__file__).parent
CHINA = dt.timezone(dt.timedelta(hours=8))


class CalendarMissing(RuxueError):
    status_code = 503
    code = "calendar_missing"
    title = "节假日安排缺失"


@dataclass(frozen=True)
class Calendar:
    """Days off and adjusted working weekends (调休) for the years it covers."""

    years: frozenset[int]
    holidays: frozenset[dt.date]
    workdays: frozenset[dt.date]

    def is_working(self, day: dt.date) -> bool:
        if day.year not in self.years:
            raise CalendarMissing(f"没有{day.year}年的节假日安排，无法计算工作日期限。")
        if day in self.workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays


def calendar_of(tables: Iterable[dict[str, Any]]) -> Calendar:
    years: set[int] = set()
    holidays: set[dt.date] = set()
    workdays: set[dt.date] = set()
    for table in tables:
        years.add(int(table["year"]))
        for first, last, _name in table["holidays"]:
            day, end = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
            while day <= end:
                holidays.add(day)
                day += dt.timedelta(days=1)
        workdays.update(dt.date.fromisoformat(d) for d in table["workdays"])
    return Calendar(frozenset(years), frozenset(holidays), frozenset(workdays))


def read_tables(folder: Path = HERE / "calendar") -> list[dict[str, Any]]:
    return [tomllib.loads(p.read_text("utf-8")) for p in sorted(folder.glob("*.toml"))]


@cache
def shipped_calendar() -> Calendar:
    return calendar_of(read_tables())


def add_working_days(cal: Calendar, start: dt.date, days: int) -> dt.date:
    """The ``days``-th working day after ``start`` (``start`` itself never counts)."""
    if days < 0:
        raise ValueError("days must not be negative")
    day = start
    while days:
        day += dt.timedelta(days=1)
        days -= cal.is_working(day)
    return day


def working_days_between(cal: Calendar, start: dt.date, end: dt.date) -> int:
    """Working days in (start, end]; 0 when end is not after start."""
    count, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        count += cal.is_working(day)
    return count


def due_at(cal: Calendar, at: dt.datetime, days: int) -> dt.datetime:
    """The end (24:00 Beijing time) of the ``days``-th working day after ``at``'s date."""
    day = add_working_days(cal, at.astimezone(CHINA).date(), days)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), CHINA)
    return end.astimezone(dt.UTC)


def escalation_level(cal: Calendar, due: dt.datetime, now: dt.datetime, every: int = 1) -> int:
    """0 before the deadline; then one level per ``every`` working days overdue, first at once."""
    if now < due:
        return 0
    late = working_days_between(cal, due.astimezone(CHINA).date(), now.astimezone(CHINA).date())
    return 1 + late // every


@dataclass(frozen=True)
class Settings:
    levels: dict[int, str]
    bad: frozenset[int]
    good: frozenset[int]
    default_level: int
    default_after: dt.timedelta
    change_window: dt.timedelta
    max_changes: int
    desk_token: dt.timedelta
    indicators: dict[str, list[str]]
    contact_days: int
    fix_days: int
    escalate_every: int
    report: dict[str, float]


@cache
def settings(path: Path = HERE / "config.toml") -> Settings:
    raw = tomllib.loads(path.read_text("utf-8"))
    r, d = raw["rating"], raw["deadlines"]
    return Settings(
        levels={int(k): v for k, v in raw["levels"].items()},
        bad=frozenset(r["bad"]),
        good=frozenset(r["good"]),
        default_level=r["default_level"],
        default_after=dt.timedelta(days=r["default_after_days"]),
        change_window=dt.timedelta(hours=r["change_window_hours"]),
        max_changes=r["max_changes"],
        desk_token=dt.timedelta(minutes=r["desk_token_minutes"]),
        indicators=raw["indicators"],
        contact_days=d["contact"],
        fix_days=d["fix"],
        escalate_every=d["escalate_every"],
        report=raw["report"],
    )


OVERALL = "整体满意度"  # the standard's overall indicator: the form's 总体评价 answers it


def check_rating(s: Settings, channel: str, level: int, indicators: dict[str, int]) -> None:
    """A rating's level and its indicators: every indicator of the channel, each a valid level."""
    if level not in s.levels:
        raise RuxueError("请选择一个评价等级（非常满意至非常不满意）。", code="bad_level")
    expected = s.indicators[channel]
    if set(indicators) != set(expected) or any(v not in s.levels for v in indicators.values()):
        raise RuxueError(
            "请为每一项分项评价选择等级：" + "、".join(n for n in expected if n != OVERALL),
            code="bad_indicators",
        )


def default_due(s: Settings, decided_at: dt.datetime) -> dt.datetime:
    return decided_at + s.default_after


def effective_level(
    s: Settings, level: int | None, decided_at: dt.datetime, now: dt.datetime
) -> int | None:
    """The level that counts: the rater's, or the default once the time to rate has passed."""
    if level is not None:
        return level
    return s.default_level if now >= default_due(s, decided_at) else None


def may_change(s: Settings, rated_at: dt.datetime, changes: int, now: dt.datetime) -> bool:
    """A rating may be changed ``max_changes`` times within the window of giving it (a re-rating
    invited by the answer to a bad rating is not a change: the service lets it through)."""
    return changes < s.max_changes and now - rated_at <= s.change_window


def ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def figures(c: dict[str, int]) -> dict[str, float | None]:
    """The published figures from the counts of a scope (see ``dashboard.aggregate``)."""
    rated = c["active"] + c["defaulted"]
    return {
        "good_rate": ratio(c["good"], rated),  # 好评率, defaults included
        "active_rate": ratio(c["active"], c["decided"]),  # 主动评价率
        "active_good_rate": ratio(c["active_good"], c["active"]),  # 主动评价好评率
        "unrated_rate": ratio(c["defaulted"], c["decided"]),  # 未评价率
        "rectified_rate": ratio(c["bad_rectified"], c["bad"]),  # 差评整改率
        "visited_rate": ratio(c["bad_named_visited"], c["bad_named"]),  # 实名差评回访率
    }
