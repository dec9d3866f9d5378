"""The exchange client against the sandbox over real HTTP, with the call log in the test database."""

import asyncio
import time
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.exchange.breaker import CLOSED, OPEN
from ruxue.exchange.client import (
    NO_RECORD,
    OK,
    REFUSED,
    UNAVAILABLE,
    Ask,
    ExchangeClient,
    operator_hash,
)
from ruxue.exchange.envelope import sign_request
from ruxue.exchange.models import CallLogEntry, CallSubject, Consent
from ruxue.exchange.repository import verify_chains
from ruxue.exchange.service import (
    ConsentError,
    envelope_consent,
    who_asked_about,
    withdraw_consent,
)
from ruxue.kit.crypto import sm3_hex
from ruxue.kit.db import Database
from ruxue.settings import Settings
from tests.support.exchange import CHILD, GUARDIAN, SPOUSE, _consent, _ctx
from tests.support.helpers import ServerThread

SIX = [
    Ask("police.person", {"id_number": CHILD}, ("name", "booklet_no")),
    Ask("property.residences", {"id_number": GUARDIAN}),
    Ask("civil.marriage", {"id_number": GUARDIAN}),
    Ask("health.birth_certificate", {"id_number": CHILD}),
    Ask("hrss.social_insurance", {"id_number": GUARDIAN}),
    Ask("xueji.student_status", {"id_number": CHILD}),
]


async def http_get(url: str) -> httpx.Response:
    async with httpx.AsyncClient() as http:
        return await http.get(url)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def client(
    settings: Settings, db: Database, sandbox: ServerThread, clock: FakeClock
) -> AsyncIterator[ExchangeClient]:
    exchange = ExchangeClient(settings, db, clock=clock)
    yield exchange
    await exchange.aclose()


async def test_answers_come_back_verified(client: ExchangeClient, db: Database) -> None:
    answers = await client.ask_all(await _ctx(db), SIX)
    outcomes = {a.ask.service: a.outcome for a in answers}
    assert outcomes["police.person"] == OK
    assert answers[0].data["name"] == "王小明"
    assert outcomes["xueji.student_status"] == OK and answers[5].data == []
    assert all(a.ok for a in answers)


async def test_missing_record_is_not_a_failure(client: ExchangeClient, db: Database) -> None:
    ctx = await _ctx(db, [GUARDIAN, "320508199105060629"])
    answer = await client.ask(
        ctx, Ask("hrss.social_insurance", {"id_number": "320508199105060629"})
    )
    assert answer.outcome == NO_RECORD
    assert client.breakers["hrss"].state == CLOSED


async def test_fan_out_to_six_departments_takes_the_slowest_not_the_sum(
    client: ExchangeClient,
    db: Database,
    faults: httpx.AsyncClient,
) -> None:
    for dept in ("police", "property", "civil", "health", "hrss", "xueji"):
        (await faults.put(f"/_sandbox/faults/{dept}", json={"latency_ms": 200})).raise_for_status()
    ctx = await _ctx(db)
    await client.ask(
        ctx, Ask("elicence.licences", {"id_number": GUARDIAN})
    )  # warm the connection pool
    started = time.perf_counter()
    answers = await client.ask_all(ctx, SIX)
    elapsed = time.perf_counter() - started
    assert all(a.outcome == OK for a in answers)
    assert all(a.latency_ms >= 200 for a in answers)
    assert elapsed < 0.4, f"fan-out took {elapsed:.3f} s"


async def test_outage_opens_the_breaker_and_recovery_closes_it(
    client: ExchangeClient,
    db: Database,
    faults: httpx.AsyncClient,
    clock: FakeClock,
    sandbox: ServerThread,
) -> None:
    ctx = await _ctx(db)
    ask = Ask("police.person", {"id_number": CHILD})
    await faults.put("/_sandbox/faults/police", json={"outage": True})
    for _ in range(3):  # breaker_failures = 3 in the test settings
        answer = await client.ask(ctx, ask)
        assert answer.outcome == UNAVAILABLE and answer.attempts == 3 and answer.status == 503
    assert client.breakers["police"].state == OPEN
    seen = len((await faults.get("/_sandbox/calls", params={"limit": 2000})).json())
    refused = await client.ask(ctx, ask)
    assert (
        refused.outcome == UNAVAILABLE and refused.error == "circuit_open" and refused.attempts == 0
    )
    assert (
        len((await faults.get("/_sandbox/calls", params={"limit": 2000})).json()) == seen
    )  # no call went out
    # other departments are not affected
    assert (await client.ask(ctx, Ask("civil.marriage", {"id_number": GUARDIAN}))).outcome == OK

    await faults.delete("/_sandbox/faults")
    assert (await client.ask(ctx, ask)).error == "circuit_open"  # still open before the reset time
    clock.now += 31
    recovered = await client.ask(ctx, ask)
    assert recovered.outcome == OK
    assert client.breakers["police"].state == CLOSED


async def test_errors_are_retried_and_timeouts_bounded(
    settings: Settings,
    db: Database,
    faults: httpx.AsyncClient,
) -> None:
    quick = ExchangeClient(settings.model_copy(update={"exchange_timeout_s": 0.3}), db)
    try:
        ctx = await _ctx(db)
        await faults.put("/_sandbox/faults/health", json={"error_rate": 1.0})
        failed = await quick.ask(ctx, Ask("health.birth_certificate", {"id_number": CHILD}))
        assert failed.outcome == UNAVAILABLE and failed.attempts == 3 and failed.status == 500
        await faults.put("/_sandbox/faults/health", json={"timeout_rate": 1.0})
        started = time.perf_counter()
        hung = await quick.ask(ctx, Ask("health.birth_certificate", {"id_number": CHILD}))
        assert hung.outcome == UNAVAILABLE and hung.error == "timeout"
        assert time.perf_counter() - started < 3 * 0.3 + 1.0
    finally:
        await quick.aclose()


async def test_sandbox_refuses_a_request_without_signature_or_consent(
    client: ExchangeClient,
    db: Database,
    sandbox: ServerThread,
    settings: Settings,
) -> None:
    ctx = await _ctx(db)
    header = client._header(ctx, Ask("police.person", {"id_number": CHILD}))
    url = f"{sandbox.url}/exchange/police/person/v1"
    async with httpx.AsyncClient() as http:
        unsigned = await http.post(url, json={"header": header, "body": {"id_number": CHILD}})
        assert unsigned.status_code == 401 and unsigned.json()["error"] == "bad_signature"
        no_consent = sign_request(
            {**header, "consents": []},
            {"id_number": CHILD},
            bytes.fromhex(settings.exchange_client_key),
        )
        refused = await http.post(url, json=no_consent)
        assert refused.status_code == 403 and refused.json()["error"] == "no_consent"
    # through the client: a person no consent covers is not asked about at all, and that is logged
    seen = len((await http_get(f"{sandbox.url}/_sandbox/calls?limit=2000")).json())
    answer = await client.ask(ctx, Ask("police.person", {"id_number": "320508199105060629"}))
    assert answer.outcome == REFUSED and answer.error == "no_consent" and answer.attempts == 0
    assert len((await http_get(f"{sandbox.url}/_sandbox/calls?limit=2000")).json()) == seen
    async with db.read_session() as session:
        logged = (
            await session.scalars(select(CallLogEntry).where(CallLogEntry.outcome == REFUSED))
        ).all()
    assert [e.service for e in logged] == ["police.person"]


async def test_withdrawn_consent_is_never_used(db: Database) -> None:
    consent = await _consent(db)
    async with db.write_session() as session:
        await withdraw_consent(session, consent.id, GUARDIAN)
    async with db.read_session() as session:
        stored = await session.get(Consent, consent.id)
    assert stored is not None and stored.withdrawn_at is not None
    with pytest.raises(ConsentError):
        envelope_consent(stored)
    assert CHILD not in stored.subjects_enc[0]  # stored encrypted


async def test_call_log_answers_who_asked_about_a_person(
    client: ExchangeClient, db: Database
) -> None:
    await client.ask_all(await _ctx(db), SIX)
    async with db.read_session() as session:
        about_child = await who_asked_about(session, CHILD)
        about_spouse = await who_asked_about(session, SPOUSE)
    assert {c.service for c in about_child} == {
        "police.person",
        "health.birth_certificate",
        "xueji.student_status",
    }
    assert all(c.purpose == "ENROLLMENT" and c.case_no == "RX2026TEST" for c in about_child)
    assert about_spouse == []
    # the operator is a keyed hash: not the plain SM3 of the ID number anyone could recompute
    assert {c.operator for c in about_child} == {operator_hash(GUARDIAN)}
    assert operator_hash(GUARDIAN) != sm3_hex(GUARDIAN.encode())


async def test_concurrent_appends_keep_one_unbroken_chain(
    client: ExchangeClient, db: Database
) -> None:
    ctx = await _ctx(db)
    await asyncio.gather(*(client.ask_all(ctx, SIX[:3]) for _ in range(10)))
    async with db.read_session() as session:
        seqs = (await session.scalars(select(CallLogEntry.seq).order_by(CallLogEntry.seq))).all()
        assert list(seqs) == list(range(1, 31))
        assert await verify_chains(session) == []


async def _delete_entry(session: AsyncSession, seq: int) -> None:
    entry_id = (await session.scalars(select(CallLogEntry.id).where(CallLogEntry.seq == seq))).one()
    await session.execute(delete(CallSubject).where(CallSubject.call_id == entry_id))
    await session.execute(delete(CallLogEntry).where(CallLogEntry.id == entry_id))


async def test_edited_or_deleted_entries_are_detected(client: ExchangeClient, db: Database) -> None:
    await client.ask_all(await _ctx(db), SIX)
    async with db.read_session() as session:
        assert await verify_chains(session) == []

    async with db.write_session() as session:
        await session.execute(
            update(CallLogEntry).where(CallLogEntry.seq == 2).values(outcome="refused")
        )
    async with db.read_session() as session:
        assert any("seq 2: entry content altered" in p for p in await verify_chains(session))

    async with db.write_session() as session:
        await session.execute(
            update(CallLogEntry).where(CallLogEntry.seq == 2).values(outcome="ok")
        )
        await _delete_entry(session, 4)
    async with db.read_session() as session:
        problems = await verify_chains(session)
    assert any("entry 4 missing" in p for p in problems)
    assert not any("altered" in p for p in problems)

    async with db.write_session() as session:
        await _delete_entry(session, 6)
    async with db.read_session() as session:
        assert any("head says seq 6, log ends at 5" in p for p in await verify_chains(session))
