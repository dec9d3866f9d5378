"""Pure helpers of the dashboard: age bands, percentiles, hours, who lags behind the thresholds,
the county picture by district."""

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ruxue.county.rules import STAGES
from ruxue.county.schemas import CityPicture, CountyHealth
from ruxue.rating.rules import CHINA
from ruxue.reference.districts import district_label

BANDS = ("0-1天", "2-3天", "4-7天", "8天以上")


def age_band(days: int) -> str:
    if days <= 1:
        return BANDS[0]
    if days <= 3:
        return BANDS[1]
    return BANDS[2] if days <= 7 else BANDS[3]


def hour_of(at: dt.datetime) -> dt.datetime:
    return at.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, -(-int(q * 100) * len(ordered) // 100))
    return float(ordered[min(rank, len(ordered)) - 1])


def lagging(row: Mapping[str, object], limits: Mapping[str, float]) -> list[str]:
    """Why a district or school is named in the weekly 通报 (empty: it is not)."""
    reasons = []
    auto, good = row.get("auto_rate"), row.get("good_rate")
    if isinstance(auto, float) and auto < limits["min_auto_rate"]:
        reasons.append(f"自动审批率{auto:.0%}，低于{limits['min_auto_rate']:.0%}")
    if isinstance(good, float) and good < limits["min_good_rate"]:
        reasons.append(f"好评率{good:.1%}，低于{limits['min_good_rate']:.0%}")
    if int(str(row.get("backlog_over", 0))):
        reasons.append(f"{row['backlog_over']}件人工审核等待超过{limits['max_backlog_days']:.0f}天")
    if int(str(row.get("overdue", 0))) > limits["max_overdue"]:
        reasons.append(f"{row['overdue']}件差评整改逾期")
    return reasons


@dataclass(frozen=True)
class Heading:
    """What a 通报 says about itself: its number (文号), the week it covers, who issues it, when."""

    number: str
    week: str
    issuer: str
    date: str


def report_heading(issuer: str, as_of: dt.datetime) -> Heading:
    """The heading of the weekly 通报 issued at ``as_of`` (Beijing time): it covers the ISO week
    before the day of issue up to that day; the 文号 counts ISO weeks of the year."""
    day = as_of.astimezone(CHINA).date()
    year, week, _ = day.isocalendar()
    monday = day - dt.timedelta(days=day.weekday())
    span = f"{monday.month}月{monday.day}日至{day.month}月{day.day}日"
    return Heading(
        number=f"{issuer}入学通报〔{year}〕{week}号",
        week=f"{year}年第{week}周（{span}）",
        issuer=issuer,
        date=f"{day.year}年{day.month}月{day.day}日",
    )


@dataclass
class CountyRow:
    """One district of the city picture on the dashboard: cases per stage (own + reported), and
    its county systems, the silent ones named."""

    district: str
    label: str
    stages: dict[str, int]
    own: int = 0
    reported: int = 0
    counties: list[CountyHealth] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.own + self.reported

    @property
    def silent(self) -> bool:
        return any(c.silent for c in self.counties)


def county_rows(picture: CityPicture) -> list[CountyRow]:
    """The picture's counts by district, every district that has cases or a county system."""
    codes = sorted(
        {c.district_code for c in picture.counts} | {c.district_code for c in picture.counties}
    )
    rows = {d: CountyRow(d, district_label(d), dict.fromkeys(STAGES, 0)) for d in codes}
    for count in picture.counts:
        row = rows[count.district_code]
        row.stages[count.stage] += count.total
        row.own, row.reported = row.own + count.own, row.reported + count.reported
    for county in picture.counties:
        rows[county.district_code].counties.append(county)
    return list(rows.values())


def county_chart(rows: list[CountyRow]) -> dict[str, object]:
    """The stacked bar's data: a district's label says in words when a county has gone silent."""
    return {
        "districts": [r.label + ("（有县区超时未上报）" if r.silent else "") for r in rows],
        "series": [
            {"stage": label, "data": [r.stages[stage] for r in rows]}
            for stage, label in STAGES.items()
        ],
    }
