"""Admission policy as data: ``policies/default.toml`` overridden per district and year."""

import datetime as dt
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field

POLICIES = Path(__file__).parent / "policies"
CHINA = ZoneInfo("Asia/Shanghai")
Segment = Literal["primary", "junior"]


class YearDay(BaseModel):
    model_config = ConfigDict(frozen=True)
    year_offset: int
    month_day: str = Field(pattern=r"^\d{2}-\d{2}$")

    def date(self, year: int) -> dt.date:
        return dt.date.fromisoformat(f"{year + self.year_offset:04d}-{self.month_day}")


class AgeWindow(BaseModel):
    model_config = ConfigDict(frozen=True)
    born_from: YearDay
    born_to: YearDay


class Window(BaseModel):
    model_config = ConfigDict(frozen=True)
    opens: str = Field(pattern=r"^\d{2}-\d{2}T\d{2}:\d{2}$")
    closes: str = Field(pattern=r"^\d{2}-\d{2}T\d{2}:\d{2}$")

    def bounds(self, year: int) -> tuple[dt.datetime, dt.datetime]:
        def at(value: str) -> dt.datetime:
            return dt.datetime.fromisoformat(f"{year:04d}-{value}").replace(tzinfo=CHINA)

        return at(self.opens), at(self.closes)


class Contact(BaseModel):
    """Where a family asks about or contests a decision (复核): office, channel, phone, period."""

    model_config = ConfigDict(frozen=True)
    office: str = "户籍所在区教育局招生办公室"
    phone: str = "0512-12345"
    channel: str = "到区教育局招生办公室窗口或拨打咨询电话提出"
    review_days: int = Field(default=15, gt=0)


class Policy(BaseModel):
    model_config = ConfigDict(frozen=True)
    year: int
    district_code: str
    area_threshold_m2: float = Field(gt=0)
    categories: tuple[str, ...]
    age: dict[Segment, AgeWindow]
    windows: dict[Segment, Window]
    contact: Contact = Contact()


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        merged[key] = (
            _merge(base[key], value)
            if isinstance(value, dict) and isinstance(base.get(key), dict)
            else value
        )
    return merged


def shipped_data(year: int, district_code: str) -> dict[str, Any]:
    """``default.toml`` merged with the district's file of the year: every key the source ships."""
    data = tomllib.loads((POLICIES / "default.toml").read_text())
    override = POLICIES / str(year) / f"{district_code}.toml"
    if override.exists():
        data = _merge(data, tomllib.loads(override.read_text()))
    return data


@lru_cache(maxsize=256)
def load_policy(year: int, district_code: str) -> Policy:
    """domain.md's keys (the cohort's keys the files may also carry are ignored here; they are
    read by ``policy.service.cohort_policy``)."""
    return Policy(year=year, district_code=district_code, **shipped_data(year, district_code))
