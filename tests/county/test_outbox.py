"""County mode: stages go into the outbox in the transaction that made them (a rollback leaves
none); a city that cannot be reached leaves rows to retry, then dead letters the administrator
sees and can send again; the city's picture combines its own cases and reported ones."""

import httpx
import pytest
from sqlalchemy import select

from ruxue.county import relay
from ruxue.county.demo import step
from ruxue.county.models import OutboxRow
from ruxue.county.tasks import relay_once
from ruxue.kit.db import Database
from ruxue.settings import get_settings
from ruxue.staff.models import AuditEntry
from ruxue.wiring import wire
from tests.support.county import register, report, token
from tests.support.helpers import ServerThread, free_port
from tests.support.roots import from_environment
from tests.support.staff import make_staff, staff_client


@pytest.fixture
def county_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RUXUE_UPSTREAM_URL", f"http://127.0.0.1:{free_port()}")  # nobody listens
    monkeypatch.setenv("RUXUE_UPSTREAM_CLIENT_ID", "wuzhong")
    monkeypatch.setenv("RUXUE_RELAY_MAX_ATTEMPTS", "2")
    monkeypatch.setenv("RUXUE_RELAY_BACKOFF_S", "0")
    wire(from_environment())
    yield
    get_settings.cache_clear()


async def outbox(db: Database) -> list[tuple[str, str, int]]:
    async with db.read_session() as session:
        rows = (await session.scalars(select(OutboxRow).order_by(OutboxRow.id))).all()
    return [(r.case_no, r.stage, r.data_version) for r in rows]


async def test_stages_are_written_with_their_transaction(db: Database, county_mode: None) -> None:
    async with db.write_session() as session:
        await step(session, "WZ-2026-000001", 1, 2)  # submitted, to manual review
    with pytest.raises(RuntimeError):
        async with db.write_session() as session:
            await step(session, "WZ-2026-000001", 2, 2)  # materials asked, then rolled back
            raise RuntimeError("rolled back")
    async with db.write_session() as session:
        await step(session, "WZ-2026-000001", 2, 2)
    async with db.write_session() as session:
        await step(session, "WZ-2026-000001", 3, 2)  # withdrawn
    assert await outbox(db) == [
        ("WZ-2026-000001", "apply", 1),
        ("WZ-2026-000001", "accept", 1),
        ("WZ-2026-000001", "process", 1),
        ("WZ-2026-000001", "process", 2),
        ("WZ-2026-000001", "done", 1),
    ]


async def test_nothing_is_written_outside_county_mode(db: Database) -> None:
    async with db.write_session() as session:
        await step(session, "SZ-2026-000001", 1, 0)
    assert await outbox(db) == []


async def test_unreachable_city_gives_dead_letters_shown_and_revived(
    web: ServerThread, db: Database, county_mode: None
) -> None:
    async with db.write_session() as session:
        await step(session, "WZ-2026-000002", 1, 0)  # apply, accept, done
    first, second = await relay_once(db), await relay_once(db)
    assert (first.failed, first.dead, second.failed, second.dead) == (3, 0, 0, 3)
    assert "ConnectError" in first.errors[0]
    http = await staff_client(web, "admin1", await make_staff(db, "admin1", "admin"))
    state = (await http.get("/api/v1/county/outbox")).json()
    assert (state["pending"], len(state["dead"])) == (0, 3)
    page = await http.get("/staff/county")
    assert '未送达 <b id="outbox-dead">3</b>' in page.text and "WZ-2026-000002" in page.text
    dead = [d["id"] for d in state["dead"]]
    revived = await http.post(f"/api/v1/county/outbox/{dead[0]}/retry")
    assert (revived.json()["pending"], len(revived.json()["dead"])) == (1, 2)
    from_page = await http.post(f"/staff/county/outbox/{dead[1]}/retry")  # the page's button
    assert from_page.status_code == 303 and from_page.headers["location"] == "/staff/county"
    assert (await http.post(f"/staff/county/nothing/{dead[2]}/retry")).status_code == 404
    assert (await http.post(f"/staff/county/outbox/{dead[0]}/retry")).status_code == 404  # alive
    await http.aclose()
    async with db.read_session() as session:
        assert (await relay.state(session)).pending == 2
        actions = (await session.scalars(select(AuditEntry.action).order_by(AuditEntry.seq))).all()
    assert actions[-2:] == ["county_outbox_retry", "county_outbox_retry"]


async def test_city_picture_combines_own_and_reported(web: ServerThread, db: Database) -> None:
    async with db.write_session() as session:
        await step(session, "SZ-2026-000009", 1, 0)  # the city's own case, in 320506, 办结
    secret = await register(db, "wuzhong", "320506")
    await register(db, "kunshan", "320583")  # never reports: flagged
    async with httpx.AsyncClient(base_url=web.url) as county:
        auth = await token(county, "wuzhong", secret)
        batch = [
            report("WZ-2026-000010", "apply", 1),
            report("WZ-2026-000010", "accept", 1),
            report("WZ-2026-000011", "apply", 1),
        ]
        assert (
            await county.post("/api/v1/county/reports", json={"reports": batch}, headers=auth)
        ).status_code == 200
    http = await staff_client(web, "admin2", await make_staff(db, "admin2", "admin"))
    picture = (await http.get("/api/v1/county/picture")).json()
    await http.aclose()
    counts = {
        (c["district_code"], c["stage"]): (c["own"], c["reported"], c["total"])
        for c in picture["counts"]
    }
    assert counts == {
        ("320506", "apply"): (0, 1, 1),
        ("320506", "accept"): (0, 1, 1),
        ("320506", "done"): (1, 0, 1),
    }
    silent = {c["client_id"]: c["silent"] for c in picture["counties"]}
    assert silent == {"kunshan": True, "wuzhong": False}
    last = {c["client_id"]: c["last_report_at"] for c in picture["counties"]}
    assert last["wuzhong"].startswith("2026-06-15T02:00")  # the app's clock, as every other date
