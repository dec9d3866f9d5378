"""Rating a decided case (online 一事一评, desk 一次一评 on a handed-over screen) and the
rectification of bad ratings: 回访核实, 整改, 答复, re-rating; 申诉复核; escalation of overdue items.
Services flush; the request or job boundary commits."""

import datetime as dt
import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.cases.models import Case
from ruxue.cases.repository import add_event
from ruxue.kit.clock import now_of
from ruxue.kit.errors import Conflict, Forbidden, NotFound, RuxueError
from ruxue.notify.rules import whole_sentences
from ruxue.notify.service import queue_sms
from ruxue.rating import repository as repo
from ruxue.rating import rules
from ruxue.rating.models import Rating, RatingToken, Rectification
from ruxue.staff.auth import Staff
from ruxue.staff.service import audit

CHANNELS = {
    "online": "网上评价（一事一评）",
    "desk": "现场评价（一次一评）",
    "kiosk": "自助终端评价（一次一评）",
}
STATUS = {
    "open": "待回访核实",
    "visited": "已回访，整改中",
    "fixed": "已整改，待答复",
    "replied": "已答复，待重新评价",
    "closed": "已办结",
    "appealed": "申诉复核中",
    "set_aside": "申诉成立，差评不计",
    "withdrawn": "评价已改为满意，差评撤回",
}


class RatingClosed(Conflict):
    code = "rating_closed"
    title = "暂不能评价"


async def rate(
    session: AsyncSession, case: Case, channel: str, form: "RatingForm", actor: str
) -> Rating:
    """Give or change the case's rating on one channel; a bad one opens a rectification item."""
    decided_at = await repo.decided_at(session, case)
    return (await rate_answered(session, case, decided_at, channel, form, actor))[0]


async def rate_answered(
    session: AsyncSession,
    case: Case,
    decided_at: dt.datetime | None,
    channel: str,
    form: "RatingForm",
    actor: str,
) -> tuple[Rating, Rectification | None]:
    """``rate`` of a case read with its ``repository.decided_at`` (``with_decided_at``), and the
    rectification item of the rating after it (None: none), without reading again what the
    rating just did (a first rating has no item unless it opened one)."""
    s, now = rules.settings(), now_of(session)
    if decided_at is None:
        raise RatingClosed("办件办结后才能评价。")
    rules.check_rating(s, channel, form.level, form.indicators)
    rating = await repo.rating_of(session, case.id, channel)
    new = rating is None
    if rating is None:
        rating = Rating(
            case_id=case.id,
            channel=channel,
            rated_at=now,
            district_code=case.district_code or "",
            school_code=_school(case),
        )
        session.add(rating)
    elif _same(rating, form):  # sent again unchanged: no change used, no trace event
        return rating, await repo.item_of_rating(session, rating.id)
    else:
        _count_change(s, rating, now)
    changed_after_reply = rating.reopened
    rating.level, rating.indicators, rating.comment = (
        form.level,
        form.indicators,
        form.comment.strip()[:500],
    )
    rating.real_name, rating.reopened = form.real_name, False
    await session.flush()
    await add_event(session, case, actor, "rated", channel=channel, level=form.level)
    return rating, await _follow_up(session, case, rating, changed_after_reply, new)


def _same(rating: Rating, form: "RatingForm") -> bool:
    given = (form.level, form.indicators, form.comment.strip()[:500], form.real_name)
    return given == (rating.level, rating.indicators, rating.comment, rating.real_name)


def _count_change(s: rules.Settings, rating: Rating, now: dt.datetime) -> None:
    """A re-rating invited by a reply starts afresh; any other change is limited in number and
    time, and a refused one writes nothing."""
    if rating.reopened:
        rating.changes = 0
    elif rating.changes >= s.max_changes:
        raise RatingClosed(f"评价提交后只能修改{s.max_changes}次，您已修改过。")
    elif not rules.may_change(s, rating.rated_at, rating.changes, now):
        hours = s.change_window // dt.timedelta(hours=1)
        raise RatingClosed(f"评价提交后{hours}小时内可以修改，现已超过。")
    else:
        rating.changes += 1
    rating.changed_at = now


class RatingForm:
    def __init__(
        self, level: int, indicators: dict[str, int], comment: str = "", real_name: bool = True
    ) -> None:
        self.level, self.indicators, self.comment, self.real_name = (
            level,
            indicators,
            comment,
            real_name,
        )


async def channel_of_item(session: AsyncSession, case: Case, item_id: int) -> str:
    """The channel of the rating a rectification item answers: the re-rating its reply invites
    is given on that rating, whatever channel the rater now uses (a desk rating re-rated online)."""
    item = await session.get(Rectification, item_id)
    rating = await session.get(Rating, item.rating_id) if item is not None else None
    if item is None or rating is None or item.case_id != case.id:
        raise NotFound("没有找到这条评价的跟进记录")
    return rating.channel


def _school(case: Case) -> str:
    return case.school_code or case.desk_school or ""


async def _follow_up(
    session: AsyncSession, case: Case, rating: Rating, rerated: bool, new: bool
) -> Rectification | None:
    """A bad rating opens an item; answered and re-rated, it closes or goes back; changed to a good
    one within the window, it is withdrawn (not counted, not sent to 12345). The city's upheld
    appeal (``set_aside``) stays whatever the rater sends. Returns the rating's item (None: none;
    a rating given just now has none to read)."""
    s = rules.settings()
    item = None if new else await repo.item_of_rating(session, rating.id)
    bad = rating.level in s.bad
    if item is None:
        return await open_item(session, case, rating) if bad else None
    if rerated and item.status == "replied":
        if bad:
            await _reopen(session, case, item)
        else:
            await _step(session, case, item, "closed", "guardian", "重新评价为满意，整改办结")
            item.closed_at = now_of(session)
    elif not bad and not rerated and item.status in repo.OPEN:
        await _step(session, case, item, "withdrawn", "guardian", "评价人在修改期内改为满意")
        item.closed_at = now_of(session)
    elif bad and item.status in ("closed", "withdrawn") and not rerated:
        await _reopen(session, case, item)
    return item


async def open_item(session: AsyncSession, case: Case, rating: Rating) -> Rectification:
    now, s, cal = now_of(session), rules.settings(), rules.shipped_calendar()
    item = Rectification(
        rating_id=rating.id,
        case_id=case.id,
        district_code=rating.district_code,
        school_code=rating.school_code,
        status="open",
        opened_at=now,
        contact_due=rules.due_at(cal, now, s.contact_days),
        fix_due=rules.due_at(cal, now, s.fix_days),
        history=[],
    )
    session.add(item)
    await session.flush()
    await _step(session, case, item, "open", "system", "差评转整改工单")
    if rating.real_name:
        await queue_sms(
            session,
            case,
            f"您对办件{case.case_no}的评价已收到，我们将在"
            f"{s.contact_days}个工作日内与您联系核实，并在{s.fix_days}个工作日内整改答复。",
        )
    return item


async def _reopen(session: AsyncSession, case: Case, item: Rectification) -> None:
    now, s, cal = now_of(session), rules.settings(), rules.shipped_calendar()
    item.round += 1
    item.opened_at, item.escalation = now, 0
    item.contact_due, item.fix_due = (
        rules.due_at(cal, now, s.contact_days),
        rules.due_at(cal, now, s.fix_days),
    )
    item.visited_at = item.fixed_at = item.replied_at = item.closed_at = None
    await _step(session, case, item, "open", "guardian", "重新评价仍不满意，工单退回重办")


async def _step(
    session: AsyncSession, case: Case, item: Rectification, status: str, actor: str, note: str
) -> None:
    """One step of an item: its status, a history line, and a trace event on the case."""
    now = now_of(session)
    item.status = status
    item.history = [
        *item.history,
        {"at": now.isoformat(), "status": status, "actor": actor, "note": note},
    ]
    await session.flush()
    await add_event(session, case, actor, f"rectification_{status}", item=item.id, note=note)


# the desk's hand-over screen


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def desk_token(session: AsyncSession, staff: Staff, case_no: str) -> str:
    """A one-time token for the guardian's rating screen at the desk (the staff session stays out)."""
    if staff.role != "desk":
        raise Forbidden("只有学校窗口可以发起现场评价")
    case = await _case_no(session, case_no)
    if _school(case) != staff.school_code:
        raise NotFound("没有找到该办件")
    if await repo.decided_at(session, case) is None:
        raise RatingClosed("办件办结后才能评价。")
    token, now = secrets.token_urlsafe(24), now_of(session)
    session.add(
        RatingToken(
            token_hash=_hash(token),
            case_id=case.id,
            staff_id=staff.id,
            expires_at=now + rules.settings().desk_token,
        )
    )
    await audit(session, staff, "rating_handover", target=case.case_no)
    await session.flush()
    return token


async def case_of_token(session: AsyncSession, token: str, use: bool) -> Case:
    row = await session.get(RatingToken, _hash(token))
    if row is None or row.used_at is not None or row.expires_at <= now_of(session):
        raise NotFound("评价页面已失效，请向窗口工作人员重新获取。", code="token_used")
    if use:
        row.used_at = now_of(session)
    case = await session.get(Case, row.case_id)
    assert case is not None
    return case


async def _case_no(session: AsyncSession, case_no: str) -> Case:
    case = (await session.scalars(select(Case).where(Case.case_no == case_no))).one_or_none()
    if case is None:
        raise NotFound("没有找到该办件")
    return case


# rectification by staff


async def _item(session: AsyncSession, staff: Staff, item_id: int) -> tuple[Rectification, Case]:
    item = await repo.item_for(session, staff, item_id)
    if item is None:
        raise NotFound("没有找到该整改工单")
    case = await session.get(Case, item.case_id)
    assert case is not None
    return item, case


STEPS = {"visit": ("open", "visited"), "fix": ("visited", "fixed"), "reply": ("fixed", "replied")}


async def advance(
    session: AsyncSession, staff: Staff, item_id: int, step: str, note: str, public_url: str
) -> Rectification:
    """回访核实 (visit), 整改 (fix), 答复 (reply): each in order, each with a note."""
    if staff.role not in ("desk", "reviewer", "admin"):
        raise Forbidden("无权处理整改工单")
    if not note.strip():
        raise RuxueError("请填写处理情况")
    item, case = await _item(session, staff, item_id)
    before, after = STEPS[step]
    if item.status != before:
        raise Conflict(f"工单当前状态为“{STATUS[item.status]}”，不能执行此步骤。")
    setattr(item, f"{after}_at", now_of(session))
    await _step(session, case, item, after, staff.actor, note.strip()[:500])
    await audit(session, staff, f"rectification_{step}", target=case.case_no, item=item.id)
    if step == "reply":
        await _ask_again(session, case, item, note.strip(), public_url)
    return item


async def _ask_again(
    session: AsyncSession, case: Case, item: Rectification, answer: str, public_url: str
) -> None:
    """The answer reaches the guardian by SMS, and their rating may be given again."""
    rating = await session.get(Rating, item.rating_id)
    assert rating is not None
    rating.reopened = True
    await queue_sms(
        session,
        case,
        f"您对办件{case.case_no}的评价已处理：{_answer_line(answer)}"
        f"欢迎重新评价：{invitation_url(public_url, case, item.id)}",
    )


def _answer_line(answer: str) -> str:
    """The reply in whole sentences, as much of it as a text has room for."""
    line = answer.strip().rstrip("。") + "。"
    return whole_sentences(line, 60) or "答复详见办件页面。"


def invitation_url(public_url: str, case: Case, item_id: int | None = None) -> str:
    """The rating page of a case, for a text (``public_url``: the system's, ``RUXUE_PUBLIC_URL``);
    with ``item_id``, the re-rating of the rating that item answers (its channel's form)."""
    url = f"{public_url}/cases/{case.case_no}/rating"
    return f"{url}?item={item_id}" if item_id is not None else url


def invitation(public_url: str, case: Case) -> str:
    """The line a decision SMS ends with."""
    return f"欢迎评价本次服务：{invitation_url(public_url, case)}"


async def appeal(session: AsyncSession, staff: Staff, item_id: int, reason: str) -> Rectification:
    """申诉复核: the unit asks the city to set aside a mistaken or malicious bad rating."""
    if not reason.strip():
        raise RuxueError("请填写申诉理由")
    item, case = await _item(session, staff, item_id)
    if item.status not in (*repo.OPEN, "replied"):
        raise Conflict(f"工单当前状态为“{STATUS[item.status]}”，不能申诉。")
    item.appeal_reason = f"{item.status}|{reason.strip()[:500]}"
    await _step(session, case, item, "appealed", staff.actor, reason.strip()[:500])
    await audit(session, staff, "rectification_appeal", target=case.case_no, item=item.id)
    return item


async def decide_appeal(
    session: AsyncSession, staff: Staff, item_id: int, set_aside: bool, note: str
) -> Rectification:
    """A city reviewer (admin) sets the rating aside, or sends the item back where it was."""
    if staff.role != "admin":
        raise Forbidden("申诉由市级复核人员决定")
    item, case = await _item(session, staff, item_id)
    if item.status != "appealed":
        raise Conflict("该工单没有待复核的申诉")
    if set_aside:
        item.closed_at = now_of(session)
        await _step(session, case, item, "set_aside", staff.actor, note or "申诉成立")
        await queue_sms(
            session,
            case,
            f"您对办件{case.case_no}的差评经市级复核认定为误评或恶意评价，不计入考核：{note}",
        )
    else:
        await _step(
            session,
            case,
            item,
            item.appeal_reason.split("|")[0],
            staff.actor,
            f"申诉不成立：{note}",
        )
    await audit(
        session, staff, "rectification_appeal_decided", target=case.case_no, set_aside=set_aside
    )
    return item


async def escalate_overdue(session: AsyncSession) -> list[int]:
    """Raise the level of every item past its deadline (1 district, 2 and more city)."""
    now, s, cal = now_of(session), rules.settings(), rules.shipped_calendar()
    raised = []
    for item in await repo.running_items(session):
        due = item.contact_due if item.status == "open" else item.fix_due
        level = rules.escalation_level(cal, due, now, s.escalate_every)
        if level > item.escalation:
            case = await session.get(Case, item.case_id)
            assert case is not None
            item.escalation = level
            where = "区教育局" if level == 1 else "市教育局"
            await _step(
                session,
                case,
                item,
                item.status,
                "system",
                f"逾期未办，升级至{where}督办（{level}级）",
            )
            raised.append(item.id)
    return raised


def work_order(item: Rectification, case: Case, rating: Rating) -> dict[str, object]:
    """The hand-off to 12345, shaped like Jiangsu's work orders: the order, its deadlines and
    the rater's words; no personal data beyond the case number (12345 calls back through us)."""
    return {
        "sourceSystem": "RUXUE",
        "sourceOrderNo": f"RX-{item.id}-{item.round}",
        "orderType": "差评整改",
        "title": f"入学一件事差评：{case.case_no}",
        "content": rating.comment or "（未填写意见）",
        "level": rules.settings().levels[rating.level],
        "channel": rating.channel,
        "handleUnit": item.school_code or item.district_code,
        "areaCode": item.district_code,
        "acceptTime": item.opened_at.isoformat(),
        "contactDeadline": item.contact_due.isoformat(),
        "handleDeadline": item.fix_due.isoformat(),
        "realName": rating.real_name,
    }
