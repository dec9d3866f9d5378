"""What the rating pages show and read, shared by the guardian's and desk's pages and the
terminal: the rating form, the page's context, the follow-up of a bad rating in the rater's words."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.cases.models import Case
from ruxue.kit import pii
from ruxue.kit.errors import RuxueError
from ruxue.rating import repository as repo
from ruxue.rating import rules, service
from ruxue.rating.models import Rating, Rectification

# the form's part a refusal is shown beside
FIELDS = {"bad_level": "level", "bad_indicators": "indicators"}


def field_of(error: RuxueError) -> str | None:
    return FIELDS.get(error.code)


async def rating_form(request: Request, channel: str) -> service.RatingForm:
    data = await request.form()
    names = rules.settings().indicators[channel]
    try:
        level = int(str(data.get("level") or "0"))
        indicators = {n: int(str(data.get(f"ind-{i}") or "0")) for i, n in enumerate(names)}
    except ValueError:
        raise RuxueError("请选择评价等级", code="bad_level") from None
    if rules.OVERALL in indicators:  # asked once, as 总体评价
        indicators[rules.OVERALL] = level
    return service.RatingForm(
        level, indicators, str(data.get("comment", "")), "anonymous" not in data
    )


# what a step of the follow-up of a bad rating means to the rater, in their words (the staff's
# status names and notes are for the staff; only the answer they sent the rater is quoted)
RATER_STEP = {
    "open": "您的评价已转给办理单位跟进",
    "visited": "工作人员已向您了解情况，正在改进",
    "fixed": "改进已完成，工作人员将把处理结果告诉您",
    "replied": "办理单位答复了您",
    "closed": "跟进结束",
    "appealed": "办理单位认为这条评价可能是误选，已申请市教育局复核",
    "set_aside": "经市教育局复核，这条评价认定为误评，不计入考核",
    "withdrawn": "您在修改期内改为满意，这条不满意评价不再跟进",
}
RATER_NOW = {
    "open": "工作人员最迟 {contact_due} 与您联系，了解情况",
    "visited": "工作人员已向您了解情况，正在改进",
    "fixed": "改进已完成，工作人员将把处理结果告诉您",
    "replied": "处理结果已告诉您，欢迎重新评价",
    "closed": "已处理完毕",
    "appealed": "正由市教育局复核",
    "set_aside": "经市教育局复核，这条评价认定为误评，不计入考核",
    "withdrawn": "不再跟进",
}


@dataclass(frozen=True)
class FollowUp:
    """The follow-up of a bad rating as the rater reads it: the heading, where it stands now (and
    that a changed rating replaced the bad one), and its steps (date, words)."""

    heading: str
    now: str
    steps: list[tuple[str, str]]


def follow_up(s: rules.Settings, rating: Rating, item: Rectification) -> FollowUp:
    replaced = rating.level not in s.bad  # changed to a good rating since
    last_day = item.contact_due - dt.timedelta(microseconds=1)  # due at 24:00 of that day
    now = RATER_NOW[item.status].format(contact_due=_date(last_day))
    if item.status == "open" and not rating.real_name:
        now = "您选择了匿名评价，工作人员无法联系您，将直接核实改进"
    level = s.levels[rating.level]
    if replaced and item.status == "closed":
        heading, now = (
            "此前不满意评价的跟进",
            f"您已重新评价为“{level}”，此前的不满意评价已处理完毕。",
        )
    elif replaced and item.status == "withdrawn":
        heading = "此前不满意评价的跟进"
        now = f"您已把评价改为“{level}”，以这次评价为准；此前的不满意评价不再计入，也不再转办。"
    elif replaced:
        heading = "此前不满意评价的跟进"
        now = (
            f"您已把评价改为“{level}”，以这次评价为准；此前的不满意评价已转给办理单位，"
            f"仍会按规定跟进（{now}）。"
        )
    else:
        heading, now = "您的不满意评价的跟进情况", f"{now}。"
    steps, before = [], None
    for h in item.history:
        status, at = str(h["status"]), _date(dt.datetime.fromisoformat(str(h["at"])))
        if status == before:
            words = "超过处理期限，已提请上级教育部门督办"
        elif status == "open" and before == "replied":
            words = "您重新评价仍不满意，已退回办理单位重新处理"
        elif status == "closed" and h["actor"] == "guardian":
            words = "您重新评价为满意，跟进结束"
        elif before == "appealed" and status != "set_aside":
            words = "复核后，办理单位继续跟进"  # the appeal was refused (its note is the staff's)
        elif status == "replied":
            words = f"办理单位答复您：{h['note']}"
        else:
            words = RATER_STEP[status]
        steps.append((at, words))
        before = status
    return FollowUp(heading, now, steps)


@dataclass(frozen=True)
class ItemRow:
    """A line of the staff's rectification list: enough to call the rater back (回访) from it."""

    item: Rectification
    case_no: str
    level: str
    channel: str
    complaint: str
    contact: str


def item_row(item: Rectification, rating: Rating, case: Case) -> ItemRow:
    s = rules.settings()
    contact = "匿名评价，无法回访"
    if rating.real_name:
        contact = pii.decrypt(case.phone_enc) if case.phone_enc else "未留手机号（请查办件）"
    return ItemRow(
        item,
        case.case_no,
        s.levels[rating.level],
        service.CHANNELS.get(rating.channel, rating.channel),
        rating.comment or "（未填写意见）",
        contact,
    )


def _date(at: dt.datetime) -> str:
    return f"{at.astimezone(rules.CHINA):%Y年%m月%d日}"


async def rating_context(session: AsyncSession, case: Case, channel: str) -> dict[str, Any]:
    rating = await repo.rating_of(session, case.id, channel)
    item = await repo.item_of_rating(session, rating.id) if rating else None
    s = rules.settings()
    return {
        "case": case,
        "rating": rating,
        "item": item,
        "levels": s.levels,
        "channel": channel,
        "indicators": [(i, n) for i, n in enumerate(s.indicators[channel]) if n != rules.OVERALL],
        "channel_label": service.CHANNELS[channel],
        "decided": await repo.decided_at(session, case) is not None,
        "follow_up": follow_up(s, rating, item) if rating and item else None,
        "rerate": {  # other channels' answered ratings: each re-rated on its own page
            service.CHANNELS[c]: i
            for c, i in (await repo.replied_channels(session, case.id)).items()
            if c != channel
        },
        "default_note": f"办结后{s.default_after.days}日内未评价的，视为“{s.levels[s.default_level]}”。",
    }
