"""Changing a rating (issue 22): a bad rating changed to a good one in time is withdrawn (not sent
to 12345, counted once as the latest rating); the city's upheld appeal stays whatever the rater
sends again; changes are limited and a refused one leaves no trace."""

from sqlalchemy import func, select

from ruxue.cases.models import Case, CaseEvent
from ruxue.dashboard.models import Stat
from ruxue.dashboard.service import refresh
from ruxue.kit.db import Database
from ruxue.rating.models import Rating
from ruxue.rating.tasks import hand_off
from tests.support.helpers import ServerThread
from tests.support.rating import bad_rating, rating
from tests.support.staff import make_staff, staff_client


async def rating_counts(db: Database) -> dict[str, int]:
    async with db.write_session() as session:
        await refresh(session)
    async with db.read_session() as session:
        query = select(Stat.key, func.sum(Stat.n)).where(Stat.metric == "rating")
        return {k: int(n) for k, n in (await session.execute(query.group_by(Stat.key))).all()}


async def rated_events(db: Database, case_no: str) -> int:
    async with db.read_session() as session:
        query = (
            select(func.count())
            .select_from(CaseEvent)
            .join(Case)
            .where(Case.case_no == case_no, CaseEvent.action == "rated")
        )
        return int(await session.scalar(query) or 0)


async def test_a_bad_rating_changed_to_very_satisfied_in_time_is_withdrawn(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database
) -> None:
    guardian, no, _ = await bad_rating(web, sandbox)
    changed = await guardian.post(f"/api/v1/cases/{no}/rating", json=rating(5))
    assert changed.status_code == 200, changed.text
    assert changed.json()["rectification"]["status"] == "withdrawn"
    assert await hand_off(db, f"{sandbox.url}/_sandbox/12345/workorders") == {}
    counts = await rating_counts(db)
    assert counts.get("good") == 1 and counts.get("active_good") == 1
    assert counts.get("bad", 0) == 0 and counts.get("active") == 1
    page = (await guardian.get(f"/cases/{no}/rating")).text
    assert "此前的不满意评价不再计入，也不再转办" in page
    await guardian.aclose()


async def test_sending_a_rating_again_does_not_undo_the_citys_upheld_appeal(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database
) -> None:
    guardian, no, item_id = await bad_rating(web, sandbox)
    reviewer = await staff_client(
        web, "pj-rev3", await make_staff(db, "pj-rev3", "reviewer", district="320508")
    )
    admin = await staff_client(web, "city3", await make_staff(db, "city3", "admin"))
    await reviewer.post(f"/api/v1/ratings/items/{item_id}/appeal", json={"note": "误选"})
    decided = await admin.post(
        f"/api/v1/ratings/items/{item_id}/appeal/decision", json={"set_aside": True, "note": "误评"}
    )
    assert decided.json()["status"] == "set_aside"
    again = await guardian.post(f"/api/v1/cases/{no}/rating", json=rating(1, "还是不满意"))
    assert again.status_code == 200, again.text
    assert again.json()["rectification"]["status"] == "set_aside"
    counts = await rating_counts(db)
    assert counts.get("set_aside") == 1 and counts.get("bad", 0) == 0
    for client in (guardian, reviewer, admin):
        await client.aclose()


async def test_a_rating_changes_once_and_a_refused_change_leaves_no_trace(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database
) -> None:
    guardian, no, _ = await bad_rating(web, sandbox)
    same = await guardian.post(f"/api/v1/cases/{no}/rating", json=rating(1, "窗口排队太久"))
    assert same.status_code == 200 and await rated_events(db, no) == 1  # unchanged: no change
    first = await guardian.post(f"/api/v1/cases/{no}/rating", json=rating(2, "排队久"))
    assert first.status_code == 200 and await rated_events(db, no) == 2
    for level in (3, 4, 5):
        refused = await guardian.post(f"/api/v1/cases/{no}/rating", json=rating(level))
        assert refused.status_code == 409 and "只能修改1次" in refused.json()["message"]
    assert await rated_events(db, no) == 2
    async with db.read_session() as session:
        kept = await session.scalar(select(Rating).join(Case).where(Case.case_no == no))
    assert kept is not None and (kept.level, kept.changes) == (2, 1)
    await guardian.aclose()
