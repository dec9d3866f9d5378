"""Issue 22: ``ruxue audit verify`` covers every record a family's rights depend on. An edit made
around the app to a case event, the case row's decision, a rating or a consent is named; a head
export never overwrites an earlier one, even with a fixed clock."""

import asyncio
import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import delete, select, update
from typer.testing import CliRunner

from ruxue.audit.models import IntegrityEntry, IntegrityHead, IntegrityPending
from ruxue.audit.repository import BY_MODEL
from ruxue.audit.rules import ENTRY_FIELDS, record_digest
from ruxue.audit.service import (
    HeadsExists,
    chain_pending,
    read_exported,
    signed_heads,
    verify_all,
    write_heads,
)
from ruxue.cases.models import Case, CaseEvent
from ruxue.cli.main import app as cli
from ruxue.exchange.models import Consent
from ruxue.kit.chain import entry_hash
from ruxue.kit.db import Database
from ruxue.kit.sm2 import SealKey
from ruxue.provider.models import Consent as ProviderConsent
from ruxue.provider.service import withdraw_consent
from ruxue.rating.models import Rating
from tests.support.flow import apply
from tests.support.helpers import ServerThread
from tests.support.personas import LIU, WANG, WANG_CHILD
from tests.support.rating import rating
from tests.support.roots import from_environment
from tests.support.session import logged_in

NOW = dt.datetime(2026, 6, 15, 2, 0, tzinfo=dt.UTC)
RATING_FIELDS = BY_MODEL[Rating].fields


async def _problems(db: Database) -> list[str]:
    async with db.read_session() as session:
        return await verify_all(session, [], SealKey.generate())


async def _rated_case(web: ServerThread, sandbox: ServerThread) -> str:
    guardian = await logged_in(web, sandbox, WANG)
    no = str((await apply(guardian, sandbox, "primary", WANG_CHILD, LIU))["case_no"])
    assert (await guardian.post(f"/api/v1/cases/{no}/rating", json=rating(5))).status_code == 200
    await guardian.aclose()
    return no


async def _verify_cli() -> tuple[int, str]:
    done = await asyncio.to_thread(CliRunner().invoke, cli, ["audit", "verify"])
    return done.exit_code, done.output


@pytest.fixture
def cli_var(cli_env: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RUXUE_VAR_DIR", str(tmp_path))
    from_environment()


async def test_an_edit_to_a_case_event_rating_consent_or_decision_is_named(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database, cli_var: None
) -> None:
    no = await _rated_case(web, sandbox)
    assert await _problems(db) == []
    assert (await _verify_cli())[0] == 0
    async with db.write_session() as session:
        case = (await session.scalars(select(Case).where(Case.case_no == no))).one()
        first = await session.scalar(
            select(CaseEvent.id).where(CaseEvent.case_id == case.id, CaseEvent.seq == 1)
        )
        consent = (await session.scalars(select(Consent.id))).first()
        await session.execute(update(CaseEvent).where(CaseEvent.id == first).values(actor="x"))
        await session.execute(update(Rating).values(level=1))
        await session.execute(update(Consent).where(Consent.id == consent).values(purpose="x"))
        await session.execute(update(Case).where(Case.id == case.id).values(category="B"))
    problems = await _problems(db)
    assert f"case_event {first}: altered since it was last written" in problems
    assert any(p.startswith("rating ") and "altered" in p for p in problems)
    assert f"consent {consent}: altered since it was last written" in problems
    assert f"case {case.id}: altered since it was last written" in problems
    code, output = await _verify_cli()
    assert code == 1 and "case_event" in output and "consent" in output


async def test_a_rewritten_ledger_is_caught_by_the_exported_heads(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database, tmp_path: Path
) -> None:
    await _rated_case(web, sandbox)
    assert await chain_pending(db) > 0  # as the heads' export does first
    seal = SealKey.generate()
    async with db.read_session() as session:
        document = await signed_heads(session, seal, NOW)
    assert document["heads"]["ledger"]["seq"] > 0
    write_heads(document, tmp_path)
    async with db.write_session() as session:  # an attacker edits a rating and re-hashes the tail
        await session.execute(update(Rating).values(level=1))
        (rating_row,) = (await session.scalars(select(Rating))).all()
        tail = (
            await session.scalars(select(IntegrityEntry).order_by(IntegrityEntry.seq.desc()))
        ).first()
        assert tail is not None
        tail.kind, tail.record_key = "rating", str(rating_row.id)
        tail.digest = record_digest({f: getattr(rating_row, f) for f in RATING_FIELDS})
        tail.entry_hash = entry_hash({c: getattr(tail, c) for c in ENTRY_FIELDS}, ENTRY_FIELDS)
        head = await session.get(IntegrityHead, "ledger")
        assert head is not None
        head.entry_hash = tail.entry_hash
    async with db.read_session() as session:
        problems = await verify_all(session, read_exported(tmp_path), seal)
    assert any("integrity ledger: entry" in p and "exported head" in p for p in problems)


def test_a_head_export_never_overwrites_an_earlier_one(tmp_path: Path) -> None:
    heads = {"audit_log": {"seq": 1, "entry_hash": "a" * 64}}
    first = {"at": NOW.isoformat(), "heads": heads, "signature": "s1", "public_key": "k"}
    later = {**first, "heads": {"audit_log": {"seq": 2, "entry_hash": "b" * 64}}}
    one, two = write_heads(first, tmp_path), write_heads(later, tmp_path)  # same fixed clock
    assert one != two and json.loads(one.read_text())["heads"] == heads
    with pytest.raises(HeadsExists):
        write_heads(first, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([one.name, two.name])


async def test_a_withdrawn_county_consent_is_recorded_and_one_deleted_around_the_app_is_named(
    db: Database,
) -> None:
    async with db.write_session() as session:
        for client in ("county-a", "county-b"):
            session.add(ProviderConsent(subject="s1", client_id=client, scopes="openid"))
    async with db.write_session() as session:
        assert await withdraw_consent(session, "s1", "county-a") is not None
    assert await _problems(db) == []
    async with db.write_session() as session:
        await session.execute(
            delete(ProviderConsent).where(ProviderConsent.client_id == "county-b")
        )
    assert await _problems(db) == ["provider_consent s1|county-b: removed"]


async def test_a_rolled_back_write_leaves_no_entry(db: Database) -> None:
    with pytest.raises(RuntimeError):
        async with db.write_session() as session:
            session.add(ProviderConsent(subject="s2", client_id="county-a", scopes="openid"))
            await session.flush()
            raise RuntimeError("the request failed")
    async with db.write_session() as session:
        session.add(ProviderConsent(subject="s3", client_id="county-a", scopes="openid"))
    async with db.read_session() as session:
        keys = (await session.scalars(select(IntegrityPending.record_key))).all()
    assert keys == ["s3|county-a"] and await _problems(db) == []
    assert await chain_pending(db) == 1
    async with db.read_session() as session:
        keys = (await session.scalars(select(IntegrityEntry.record_key))).all()
    assert keys == ["s3|county-a"] and await _problems(db) == []
