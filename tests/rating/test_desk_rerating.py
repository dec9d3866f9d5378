"""A bad desk rating (一次一评 on the clerk's hand-over screen) answered and re-rated by the family
from the reply's SMS link: the re-rating answers its own item, whatever channel it comes by."""

import re

import httpx
from sqlalchemy import select

from ruxue.kit.db import Database
from ruxue.notify.models import Notification
from ruxue.rating.models import Rating, Rectification
from tests.support.flow import apply
from tests.support.helpers import ServerThread
from tests.support.personas import LIU, WANG, WANG_CHILD
from tests.support.session import logged_in
from tests.support.staff import PASSWORD, make_staff, next_code, signed_in_again, staff_client
from tests.support.web import visible

DESK = {"level": "1", "ind-0": "1", "ind-1": "2", "ind-2": "1", "ind-3": "1", "comment": "排队太久"}


async def last_text(db: Database, case_no: str) -> str:
    async with db.read_session() as session:
        query = select(Notification.text).where(Notification.case_no == case_no)
        return list((await session.scalars(query.order_by(Notification.id))).all())[-1]


async def test_a_bad_desk_rating_re_rated_from_the_reply_link_is_closed(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database
) -> None:
    guardian = await logged_in(web, sandbox, WANG)
    no = (await apply(guardian, sandbox, "primary", WANG_CHILD, LIU))["case_no"]
    secret = await make_staff(db, "pj-d", "desk", "3205080101")
    handing = await staff_client(web, "pj-d", secret)
    screen = (await handing.post(f"/staff/cases/{no}/rating-screen")).headers["location"]
    await handing.aclose()
    desk = await signed_in_again(web, "pj-d", secret)
    async with httpx.AsyncClient(base_url=web.url) as family_at_desk:
        assert (await family_at_desk.get(screen)).status_code == 200
        rated = await family_at_desk.post(screen, data=DESK)
        assert rated.status_code == 200 and "感谢您的评价" in rated.text
    async with db.read_session() as session:
        item = (await session.scalars(select(Rectification))).one()
    listed = visible((await desk.get("/staff/ratings")).text)  # 回访 is done from the list
    assert no in listed and "非常不满意" in listed and "排队太久" in listed
    assert re.search(r"1\d{10}", listed), listed
    for step in ("visit", "fix", "reply"):
        done = await desk.post(
            f"/api/v1/ratings/items/{item.id}/{step}", json={"note": "已增设窗口"}
        )
        assert done.status_code == 200, done.text

    text = await last_text(db, no)
    link = re.search(r"https?://\S+/cases/\S+", text)
    assert link and link.group(0).endswith(f"/cases/{no}/rating?item={item.id}"), text
    path = link.group(0).split("127.0.0.1", 1)[-1].split("/", 1)[-1]
    online = (await guardian.get(f"/cases/{no}/rating")).text
    assert f"/cases/{no}/rating?item={item.id}" in online  # the plain page points to it too
    page = await guardian.get(f"/{path}")
    assert page.status_code == 200 and "现场评价" in page.text and "服务态度" in page.text
    again = {"level": "4", "ind-0": "4", "ind-1": "4", "ind-2": "4", "ind-3": "4"}
    answered = await guardian.post(f"/{path}", data=again)
    assert answered.status_code == 303, answered.text
    assert answered.headers["location"] == f"/cases/{no}/rating?item={item.id}"

    async with db.read_session() as session:
        closed = await session.get(Rectification, item.id)
        ratings = (await session.scalars(select(Rating))).all()
    assert closed is not None and closed.status == "closed"
    assert [(r.channel, r.level) for r in ratings] == [("desk", 4)]  # no stray online rating
    thanks = (await guardian.get(f"/{path}")).text
    assert "此前的不满意评价已处理完毕" in thanks
    for client in (guardian, desk):
        await client.aclose()


async def test_an_item_of_another_case_cannot_be_re_rated(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database
) -> None:
    guardian = await logged_in(web, sandbox, WANG)
    no = (await apply(guardian, sandbox, "primary", WANG_CHILD, LIU))["case_no"]
    assert (await guardian.get(f"/cases/{no}/rating?item=999999")).status_code == 404
    await guardian.aclose()


async def test_the_hand_over_locks_the_workbench_until_the_clerk_signs_in_again(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database
) -> None:
    guardian = await logged_in(web, sandbox, WANG)
    no = (await apply(guardian, sandbox, "primary", WANG_CHILD, LIU))["case_no"]
    secret = await make_staff(db, "pj-d2", "desk", "3205080101")
    desk = await staff_client(web, "pj-d2", secret)
    assert (await desk.get(f"/staff/cases/{no}")).status_code == 200
    screen = (await desk.post(f"/staff/cases/{no}/rating-screen")).headers["location"]
    assert (await desk.get(screen)).status_code == 200  # the family's screen, same browser
    for back in (f"/staff/cases/{no}", "/staff", "/staff/ratings"):  # Back, or typed
        page = await desk.get(back)
        assert page.status_code == 303 and page.headers["location"] == "/staff/login", back
    assert (await desk.get("/api/v1/ratings/items")).status_code == 401
    login = (await desk.get("/staff/login")).text
    assert "工作台已锁定" in login and no in login
    unlocked = await desk.post(
        "/staff/login",
        data={"username": "pj-d2", "password": PASSWORD, "code": next_code(secret)},
    )
    assert unlocked.status_code == 303 and unlocked.headers["location"] == f"/staff/cases/{no}"
    for client in (guardian, desk):
        await client.aclose()
