"""Residence permits (police) and points (the department ``points``) asked through the exchange
client from a version-2 sandbox over real HTTP: signed, consented, logged, faults per department."""

import json
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from ruxue.dataset.service import parse_dataset
from ruxue.exchange.client import REFUSED, Ask, CallContext, ExchangeClient
from ruxue.exchange.envelope import DEPARTMENTS
from ruxue.exchange.fetch import (
    NotAnswered,
    fetch_permits,
    fetch_permits_and_points,
    fetch_points,
)
from ruxue.exchange.service import envelope_consent, grant_consent
from ruxue.kit.db import Database
from ruxue.sandbox.app import create_sandbox_app
from ruxue.settings import Settings
from tests.support.dataset import NEW_CITIZENS, example_v2
from tests.support.helpers import ServerThread, free_port

FATHER, MOTHER, CHILD = NEW_CITIZENS


@pytest.fixture(scope="module")
def v2_sandbox(settings: Settings) -> Iterator[ServerThread]:
    port = free_port()
    data = parse_dataset(json.dumps(example_v2()).encode())
    app = create_sandbox_app(data, settings, f"http://127.0.0.1:{port}")
    with ServerThread(app, port) as server:
        yield server


@pytest.fixture
async def client(
    settings: Settings, db: Database, v2_sandbox: ServerThread
) -> AsyncIterator[ExchangeClient]:
    local = settings.model_copy(update={"exchange_url": f"{v2_sandbox.url}/exchange"})
    exchange = ExchangeClient(local, db)
    yield exchange
    await exchange.aclose()
    async with httpx.AsyncClient(base_url=v2_sandbox.url) as http:
        await http.delete("/_sandbox/faults")


async def _ctx(db: Database, departments: list[str] = list(DEPARTMENTS)) -> CallContext:  # noqa: B006
    async with db.write_session() as session:
        consent = await grant_consent(
            session,
            grantor=FATHER,
            subjects=[FATHER, MOTHER, CHILD],
            departments=departments,
            fields=["residence_permit", "points"],
            purpose="ENROLLMENT",
            case_no="RX2026D",
        )
    return CallContext("RX2026D", FATHER, (envelope_consent(consent),))


async def test_residence_permits_of_a_person(client: ExchangeClient, db: Database) -> None:
    permits = await fetch_permits(client, await _ctx(db), FATHER)
    assert [(p.permit_no, p.compound_code, str(p.valid_from)) for p in permits] == [
        ("JZ320508-2024-000001", "GS-PJ-002", "2024-03-01")
    ]
    assert await fetch_permits(client, await _ctx(db), CHILD) == []


async def test_points_of_a_person(client: ExchangeClient, db: Database) -> None:
    points = await fetch_points(client, await _ctx(db), FATHER)
    assert points is not None and points.points == 132.5 and str(points.as_of) == "2026-04-30"
    assert await fetch_points(client, await _ctx(db), MOTHER) is None  # no record


async def test_both_parents_at_once(client: ExchangeClient, db: Database) -> None:
    found = await fetch_permits_and_points(client, await _ctx(db), [FATHER, MOTHER])
    assert [p.permit_no for p in found[MOTHER][0]] == ["JZ320508-2025-000002"]
    assert found[FATHER][1] is not None and found[MOTHER][1] is None


async def test_hukou_moved_in_on_and_school_code_come_through(
    client: ExchangeClient, db: Database
) -> None:
    ctx = await _ctx(db)
    hukou, status = await client.ask_all(
        ctx,
        [
            Ask("police.hukou", {"id_number": CHILD}),
            Ask("xueji.student_status", {"id_number": CHILD}),
        ],
    )
    child = next(m for m in hukou.data["members"] if m["id_number"] == CHILD)
    assert child["moved_in_on"] == "2020-01-05"
    assert "moved_in_on" not in hukou.data["members"][0]  # absent: always there
    assert status.data == []


async def test_points_department_needs_its_own_consent(
    client: ExchangeClient, db: Database
) -> None:
    ctx = await _ctx(db, ["police"])
    answer = await client.ask(ctx, Ask("points.points", {"id_number": FATHER}))
    assert answer.outcome == REFUSED and answer.error == "consent_scope"


async def test_points_department_down_says_so(
    client: ExchangeClient, db: Database, v2_sandbox: ServerThread
) -> None:
    async with httpx.AsyncClient(base_url=v2_sandbox.url) as http:
        await http.put("/_sandbox/faults/points", json={"outage": True})
    with pytest.raises(NotAnswered) as exc:
        await fetch_points(client, await _ctx(db), FATHER)
    assert "积分" in exc.value.message
    assert await fetch_permits(client, await _ctx(db), FATHER)  # the police still answer
    async with httpx.AsyncClient(base_url=v2_sandbox.url) as http:
        calls = (await http.get("/_sandbox/calls")).json()
    assert {c["service"] for c in calls} >= {"points.points", "police.residence_permits"}
    assert any(c["service"] == "points.points" and c["status"] == 503 for c in calls)
