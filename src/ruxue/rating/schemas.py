"""API shapes of ratings and rectification items."""

import datetime as dt

from pydantic import BaseModel, Field

from ruxue.rating import rules
from ruxue.rating.models import Rating, Rectification
from ruxue.rating.service import CHANNELS, STATUS


class RatingIn(BaseModel):
    level: int
    indicators: dict[str, int]
    comment: str = Field(default="", max_length=500)
    real_name: bool = True


class Step(BaseModel):
    note: str = Field(max_length=500)


class AppealDecision(BaseModel):
    set_aside: bool
    note: str = Field(default="", max_length=500)


def rating_out(rating: Rating) -> dict[str, object]:
    return {
        "channel": rating.channel,
        "channel_label": CHANNELS[rating.channel],
        "level": rating.level,
        "level_label": rules.settings().levels[rating.level],
        "indicators": rating.indicators,
        "comment": rating.comment,
        "rated_at": rating.rated_at.isoformat(),
        "may_rate_again": rating.reopened,
    }


def _time(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def item_out(item: Rectification) -> dict[str, object]:
    return {
        "id": item.id,
        "status": item.status,
        "status_label": STATUS[item.status],
        "round": item.round,
        "district_code": item.district_code,
        "school_code": item.school_code,
        "opened_at": _time(item.opened_at),
        "contact_due": _time(item.contact_due),
        "fix_due": _time(item.fix_due),
        "escalation": item.escalation,
        "work_order_no": item.work_order_no,
        "history": item.history,
    }
