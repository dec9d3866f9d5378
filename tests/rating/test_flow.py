"""A bad rating end to end over HTTP: rated by the guardian, handed to 12345, visited, fixed,
answered, rated again; an appeal decided by the city; an overdue item escalated."""

import datetime as dt

import httpx
import pytest
from sqlalchemy import select

from ruxue.cases.models import Case, CaseEvent
from ruxue.kit.db import Database
from ruxue.notify.models import Notification
from ruxue.rating.models import Rectification
from ruxue.rating.tasks import escalate, hand_off
from ruxue.settings import Settings
from tests.support.flow import apply
from tests.support.helpers import ServerThread
from tests.support.personas import LIU, WANG, WANG_CHILD
from tests.support.rating import bad_rating, rating
from tests.support.session import logged_in
from tests.support.staff import make_staff, signed_in_again, staff_client
from tests.support.web import visible

STAFF_WORDS = ("整改工单", "差评整改", "待回访核实", "已回访", "转整改")


def staff_words(page: str) -> list[str]:
    """The staff's names of the follow-up that a guardian's page shows."""
    text = visible(page)
    return [w for w in STAFF_WORDS if w in text]


async def texts(db: Database, case_no: str) -> list[str]:
    async with db.read_session() as session:
        query = select(Notification.text).where(Notification.case_no == case_no)
        return list((await session.scalars(query.order_by(Notification.id))).all())


async def trace(db: Database, case_no: str) -> list[str]:
    async with db.read_session() as session:
        query = select(CaseEvent.action).join(Case).where(Case.case_no == case_no)
        return list((await session.scalars(query.order_by(CaseEvent.seq))).all())


@pytest.mark.slow
async def test_a_bad_rating_is_visited_fixed_answered_and_rated_again(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database
) -> None:
    guardian, no, item_id = await bad_rating(web, sandbox)
    assert "/rating" in (await texts(db, no))[0]  # the decision SMS invites a rating
    orders = await hand_off(db, f"{sandbox.url}/_sandbox/12345/workorders")
    assert orders[item_id].startswith("JS12345-")
    async with httpx.AsyncClient(base_url=sandbox.url) as hotline:
        sent = (await hotline.get("/_sandbox/12345/workorders")).json()
    assert [o["content"] for o in sent if o["orderNo"] == orders[item_id]] == ["窗口排队太久"]

    reviewer = await staff_client(
        web, "pj-rev", await make_staff(db, "pj-rev", "reviewer", district="320508")
    )
    other = await staff_client(
        web, "wz-rev", await make_staff(db, "wz-rev", "reviewer", district="320506")
    )
    assert [i["id"] for i in (await reviewer.get("/api/v1/ratings/items")).json()] == [item_id]
    assert (await other.get("/api/v1/ratings/items")).json() == []
    assert (
        await other.post(f"/api/v1/ratings/items/{item_id}/visit", json={"note": "x"})
    ).status_code == 404
    early = await reviewer.post(f"/api/v1/ratings/items/{item_id}/reply", json={"note": "已答复"})
    assert early.status_code == 409 and "待回访核实" in early.json()["message"]
    for step, note in [
        ("visit", "已电话回访，情况属实"),
        ("fix", "增设周末窗口"),
        ("reply", "已增设周末窗口"),
    ]:
        done = await reviewer.post(f"/api/v1/ratings/items/{item_id}/{step}", json={"note": note})
        assert done.status_code == 200, done.text
    assert done.json()["status"] == "replied"
    assert "欢迎重新评价" in (await texts(db, no))[-1]

    again = await guardian.post(f"/api/v1/cases/{no}/rating", json=rating(4))
    assert again.status_code == 200, again.text
    assert again.json()["rectification"]["status"] == "closed"
    steps = [a for a in await trace(db, no) if a.startswith("rectification_") or a == "rated"]
    assert steps == [
        "rated",
        "rectification_open",
        "rectification_visited",
        "rectification_fixed",
        "rectification_replied",
        "rated",
        "rectification_closed",
    ]
    status_page = (await guardian.get(f"/cases/{no}")).text
    assert 'id="rate-link"' in status_page and "评价跟进结束" in status_page
    assert not staff_words(status_page)
    rating_page = (await guardian.get(f"/cases/{no}/rating")).text
    assert "您的评价：<b>满意</b>" in rating_page and "此前的不满意评价已处理完毕" in rating_page
    assert "办理单位答复您：已增设周末窗口" in rating_page and not staff_words(rating_page)
    late = await guardian.post(f"/api/v1/cases/{no}/rating", json=rating(2))  # within 72 h: allowed
    assert late.status_code == 200 and late.json()["rectification"]["status"] == "open"
    assert late.json()["rectification"]["round"] == 2
    for client in (guardian, reviewer, other):
        await client.aclose()


async def test_a_bad_rating_changed_to_a_good_one_is_replaced_in_the_guardians_words(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database
) -> None:
    guardian, no, _ = await bad_rating(web, sandbox)
    page = (await guardian.get(f"/cases/{no}/rating")).text
    assert "您的不满意评价的跟进情况" in page and "工作人员最迟 2026年06月16日 与您联系" in page
    assert not staff_words(page)
    changed = await guardian.post(f"/api/v1/cases/{no}/rating", json=rating(5))
    assert changed.status_code == 200  # within 72 h: the bad rating is withdrawn
    assert changed.json()["rectification"]["status"] == "withdrawn"
    page = (await guardian.get(f"/cases/{no}/rating")).text
    assert "您的评价：<b>非常满意</b>" in page
    assert "您已把评价改为“非常满意”，以这次评价为准；此前的不满意评价" in page
    assert "您的不满意评价的跟进情况" not in page and not staff_words(page)
    assert "您的评价已转给办理单位跟进" in page
    await guardian.aclose()


@pytest.mark.slow
async def test_an_appeal_is_decided_by_the_city_and_an_overdue_item_escalates(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database, settings: Settings
) -> None:
    guardian, no, item_id = await bad_rating(web, sandbox)
    assert settings.now is not None
    thursday = Database(db.url, clock=lambda: dt.datetime(2026, 6, 18, 4, tzinfo=dt.UTC))
    assert await escalate(thursday) == [item_id]  # rated Monday; 回访 due by Tuesday's end
    assert await escalate(thursday) == []  # once per level
    await thursday.dispose()
    async with db.read_session() as session:
        item = await session.get(Rectification, item_id)
    assert item is not None and item.escalation == 2 and "市教育局" in str(item.history[-1]["note"])

    reviewer = await staff_client(
        web, "pj-rev2", await make_staff(db, "pj-rev2", "reviewer", district="320508")
    )
    admin = await staff_client(web, "city", await make_staff(db, "city", "admin"))
    appealed = await reviewer.post(
        f"/api/v1/ratings/items/{item_id}/appeal", json={"note": "评价人误选"}
    )
    assert appealed.json()["status"] == "appealed"
    refused = await reviewer.post(
        f"/api/v1/ratings/items/{item_id}/appeal/decision", json={"set_aside": True}
    )
    assert refused.status_code == 403
    decided = await admin.post(
        f"/api/v1/ratings/items/{item_id}/appeal/decision",
        json={"set_aside": True, "note": "经核实为误评"},
    )
    assert decided.json()["status"] == "set_aside"
    assert "不计入考核" in (await texts(db, no))[-1]
    for client in (guardian, reviewer, admin):
        await client.aclose()


async def test_the_desk_hands_over_a_one_time_rating_screen(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database
) -> None:
    guardian = await logged_in(web, sandbox, WANG)
    no = (await apply(guardian, sandbox, "primary", WANG_CHILD, LIU))["case_no"]
    secret = await make_staff(db, "pj-desk", "desk", school="3205080101")
    desk = await staff_client(web, "pj-desk", secret)
    other = await staff_client(
        web, "wz-desk", await make_staff(db, "wz-desk", "desk", school="3205060101")
    )
    assert (await other.post(f"/staff/cases/{no}/rating-screen")).status_code == 404
    opened = await desk.post(f"/staff/cases/{no}/rating-screen")
    assert opened.status_code == 303 and opened.headers["location"].startswith("/rate/")
    screen = opened.headers["location"]
    async with httpx.AsyncClient(base_url=web.url) as tablet:  # no staff session on the screen
        page = await tablet.get(screen)
        assert (
            page.status_code == 200
            and "现场评价（一次一评）" in page.text
            and "服务态度" in page.text
        )
        form = {"level": "2", "comment": "等候时间长", "anonymous": "on"} | {
            f"ind-{i}": "2" for i in range(4)
        }
        partial = await tablet.post(screen, data={**form, "ind-3": ""})
        assert (
            partial.status_code == 400
            and "服务态度" in partial.text
            and 'role="alert"' in partial.text
        )
        assert "感谢您的评价" in (await tablet.post(screen, data=form)).text
        again = await tablet.post(screen, data=form)
        assert again.status_code == 404 and "已失效" in again.text
    async with db.read_session() as session:
        item = (await session.scalars(select(Rectification))).one()
    assert (await desk.get("/api/v1/ratings/items")).status_code == 401  # handed over: locked
    await desk.aclose()
    desk = await signed_in_again(web, "pj-desk", secret)
    items = (await desk.get("/api/v1/ratings/items")).json()
    assert [i["id"] for i in items] == [item.id] and items[0]["status"] == "open"
    assert "回访核实" in (await desk.get("/staff/ratings")).text
    note = {"note": "匿名评价，无法回访，已核实排队情况"}
    assert (await desk.post(f"/staff/ratings/{item.id}/visit", data=note)).status_code == 303
    assert (await desk.get("/api/v1/ratings/items")).json()[0]["status"] == "visited"
    for client in (guardian, desk, other):
        await client.aclose()


async def test_the_guardian_rates_on_the_status_pages_form(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database
) -> None:
    guardian = await logged_in(web, sandbox, WANG)
    no = (await apply(guardian, sandbox, "primary", WANG_CHILD, LIU))["case_no"]
    page = (await guardian.get(f"/cases/{no}/rating")).text
    assert "平台操作性（必填）" in page and "视为“基本满意”" in page and "总体评价（必填）" in page
    assert "整体满意度" not in page  # asked once, as 总体评价
    form = {"level": "5", "comment": "很方便"} | {f"ind-{i}": "5" for i in range(1, 5)}
    refused = await guardian.post(f"/cases/{no}/rating", data={**form, "level": "9"})
    assert refused.status_code == 400  # the form again, the message beside the level
    assert '<p class="field-error" id="level-error">请选择一个评价等级' in refused.text
    partial = await guardian.post(f"/cases/{no}/rating", data={**form, "ind-4": ""})
    assert '<p class="field-error" id="indicators-error">请为每一项分项评价' in partial.text
    assert (await guardian.post(f"/cases/{no}/rating", data=form)).status_code == 303
    thanked = (await guardian.get(f"/cases/{no}/rating")).text
    assert '<p class="ok" role="status" id="rated">感谢您的评价！</p>' in thanked
    assert "您的评价：<b>非常满意</b>（很方便）" in thanked and 'class="error"' not in thanked
    assert 'id="rating-form"' not in thanked and 'id="change-rating"' in thanked  # not the form
    again = (await guardian.get(f"/cases/{no}/rating")).text  # to change the rating
    assert 'id="rating-form"' in again and "感谢您的评价" not in again
    await guardian.aclose()
