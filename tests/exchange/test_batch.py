"""Batched look-ups (the precheck) against the sandbox: the same answers as single calls, one
call-log entry per batch naming every person, consent and faults applied to the batch."""

import time
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import select

from ruxue.exchange.client import NO_RECORD, OK, REFUSED, UNAVAILABLE, Ask, ExchangeClient
from ruxue.exchange.envelope import MAX_BATCH_ITEMS, sign_request
from ruxue.exchange.models import CallLogEntry
from ruxue.exchange.service import who_asked_about
from ruxue.kit import pii
from ruxue.kit.db import Database
from ruxue.settings import Settings
from tests.support.exchange import CHILD, GUARDIAN, SPOUSE, _ctx
from tests.support.helpers import ServerThread

NOBODY = "320508199105060629"  # valid, but the police have no record
ASKS = [
    Ask(service, {"id_number": who})
    for service in ("police.person", "police.hukou", "civil.marriage", "hrss.social_insurance")
    for who in (GUARDIAN, SPOUSE, CHILD, NOBODY)
]


@pytest.fixture
async def client(
    settings: Settings, db: Database, sandbox: ServerThread
) -> AsyncIterator[ExchangeClient]:
    exchange = ExchangeClient(settings, db)
    yield exchange
    await exchange.aclose()


async def test_a_batch_answers_as_single_calls_do(client: ExchangeClient, db: Database) -> None:
    ctx = await _ctx(db, [GUARDIAN, SPOUSE, CHILD, NOBODY])
    single = await client.ask_all(ctx, ASKS)
    batched = await client.ask_many(ctx, [*ASKS, ASKS[0]], batch_size=3)
    assert [(a.outcome, a.data) for a in batched] == [
        (a.outcome, a.data) for a in single + single[:1]
    ]
    assert {a.outcome for a in batched} == {OK, NO_RECORD}


async def test_one_log_entry_per_batch_names_every_person(
    client: ExchangeClient, db: Database
) -> None:
    ctx = await _ctx(db, [GUARDIAN, SPOUSE, CHILD, NOBODY])
    await client.ask_many(ctx, ASKS)
    async with db.read_session() as session:
        entries = (await session.scalars(select(CallLogEntry))).all()
        tracked = await who_asked_about(session, SPOUSE)
    assert sorted(e.service for e in entries) == sorted(
        ["police.person", "police.hukou", "civil.marriage", "hrss.social_insurance"]
    )
    everyone = {pii.blind_index(i) for i in (GUARDIAN, SPOUSE, CHILD, NOBODY)}
    assert all(set(e.subjects) == everyone and e.outcome == OK for e in entries)
    assert {t.service for t in tracked} == {e.service for e in entries}  # the data tracker


async def test_a_batch_is_refused_unless_consent_covers_every_person(
    client: ExchangeClient, db: Database
) -> None:
    ctx = await _ctx(db, [GUARDIAN, CHILD])  # not the spouse
    answers = await client.ask_many(ctx, ASKS[:3])
    assert {(a.outcome, a.error) for a in answers} == {(REFUSED, "consent_subject")}


async def test_faults_apply_to_a_batch_as_a_whole(
    settings: Settings, db: Database, faults: httpx.AsyncClient
) -> None:
    quick = ExchangeClient(settings.model_copy(update={"exchange_batch_timeout_s": 0.3}), db)
    try:
        ctx = await _ctx(db, [GUARDIAN, SPOUSE, CHILD, NOBODY])
        await faults.put("/_sandbox/faults/civil", json={"error_rate": 1.0})
        answers = await quick.ask_many(ctx, ASKS)
        civil = [a for a in answers if a.ask.department == "civil"]
        assert {(a.outcome, a.status, a.attempts) for a in civil} == {(UNAVAILABLE, 500, 3)}
        assert all(a.ok for a in answers if a.ask.department != "civil")
        await faults.put("/_sandbox/faults/police", json={"timeout_rate": 1.0})
        started = time.perf_counter()
        hung = await quick.ask_many(ctx, ASKS[:4])
        assert {(a.outcome, a.error) for a in hung} == {(UNAVAILABLE, "timeout")}
        assert time.perf_counter() - started < 3 * 0.3 + 1.0
    finally:
        await quick.aclose()


async def test_sandbox_refuses_an_oversized_or_malformed_batch(
    client: ExchangeClient, db: Database, sandbox: ServerThread, settings: Settings
) -> None:
    ctx = await _ctx(db, [GUARDIAN, CHILD])
    key = bytes.fromhex(settings.exchange_client_key)
    url = f"{sandbox.url}/exchange/police/person/v1/batch"

    async def post(body: dict[str, object], to: str = url) -> httpx.Response:
        header = client._header(ctx, Ask("police.person", body))
        async with httpx.AsyncClient() as http:
            return await http.post(to, json=sign_request(header, body, key))

    big = await post({"items": [{"id_number": CHILD}] * (MAX_BATCH_ITEMS + 1)})
    assert big.status_code == 413 and big.json()["error"] == "batch_too_large"
    assert (await post({"items": [{"id_number": CHILD}, "x"]})).status_code == 400
    licences = f"{sandbox.url}/exchange/elicence/register/v1/batch"  # no batch form
    assert (await post({"items": [{"id_number": CHILD}]}, licences)).status_code == 404
