"""Issue 24: a write transaction records its ledger digests with one INSERT into the pending table
and locks nothing another transaction waits on; the chainers (the worker's job, the CLI) move the
pending digests into the chain in order, exactly once, even two at a time. A pending digest
counts as the record's newest: an edited record, a missing one and a broken chain are still
named."""

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, insert, select, update
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from ruxue.audit.models import IntegrityEntry, IntegrityHead, IntegrityPending
from ruxue.audit.repository import ledger_problems
from ruxue.audit.service import chain_pending, verify_all
from ruxue.cli.main import app as cli
from ruxue.kit.db import Database
from ruxue.kit.sm2 import SealKey
from ruxue.provider.models import Consent
from tests.support.roots import from_environment


async def _problems(db: Database) -> list[str]:
    async with db.read_session() as session:
        return await verify_all(session, [], SealKey.generate())


async def _grant(db: Database, subject: str, scopes: str = "openid") -> None:
    async with db.write_session() as session:
        session.add(Consent(subject=subject, client_id="county-a", scopes=scopes))


async def _widen(db: Database, subject: str, scopes: str) -> None:
    async with db.write_session() as session:
        consent = await session.get(Consent, (subject, "county-a"))
        assert consent is not None
        consent.scopes = scopes


async def _entries(db: Database) -> list[IntegrityEntry]:
    async with db.read_session() as session:
        query = select(IntegrityEntry).order_by(IntegrityEntry.seq)
        return list((await session.scalars(query)).all())


async def _pending(db: Database) -> int:
    async with db.read_session() as session:
        return len((await session.scalars(select(IntegrityPending.id))).all())


@pytest.fixture
def sent() -> Iterator[list[str]]:
    statements: list[str] = []
    lock = threading.Lock()

    def seen(conn: object, cursor: object, statement: str, *_: Any) -> None:
        with lock:
            statements.append(statement)

    event.listen(Engine, "before_cursor_execute", seen)
    yield statements
    event.remove(Engine, "before_cursor_execute", seen)


async def test_a_write_records_its_digests_with_one_insert_and_no_head_lock(
    db: Database, sent: list[str]
) -> None:
    async with db.write_session() as session:
        for subject in ("p1", "p2", "p3"):
            session.add(Consent(subject=subject, client_id="county-a", scopes="openid"))
    ledger = [s for s in sent if "integrity_" in s]
    assert len(ledger) == 1 and ledger[0].startswith("INSERT INTO integrity_pending"), ledger
    async with db.read_session() as session:
        assert await session.get(IntegrityHead, "ledger") is None
    assert await _pending(db) == 3 and await _problems(db) == []


async def test_pending_digests_are_chained_in_order_once(db: Database) -> None:
    await _grant(db, "p1")
    await _grant(db, "p2")
    await _widen(db, "p1", "openid profile")
    await _widen(db, "p1", "openid profile phone")
    assert await chain_pending(db, batch=3) == 4  # two transactions of the chainer
    assert await chain_pending(db) == 0
    entries = await _entries(db)
    assert [(e.seq, e.record_key) for e in entries] == [
        (1, "p1|county-a"),
        (2, "p2|county-a"),
        (3, "p1|county-a"),
        (4, "p1|county-a"),
    ]
    assert await _pending(db) == 0 and await _problems(db) == []
    async with db.read_session() as session:
        head = await session.get(IntegrityHead, "ledger")
    assert head is not None and (head.seq, head.entry_hash) == (4, entries[-1].entry_hash)


async def test_an_edit_a_missing_record_and_a_broken_chain_are_named_with_digests_pending(
    db: Database,
) -> None:
    await _grant(db, "p1")
    await chain_pending(db)
    await _widen(db, "p1", "openid profile")  # its newest digest is pending
    await _grant(db, "p2")
    assert await _pending(db) == 2 and await _problems(db) == []
    async with db.write_session() as session:  # around the app: an edit and a row never recorded
        await session.execute(update(Consent).where(Consent.subject == "p1").values(scopes="x"))
        await session.execute(insert(Consent).values(subject="p3", client_id="c", scopes="s"))
        await session.execute(update(IntegrityEntry).values(digest="0" * 64))
    assert await _problems(db) == [
        "integrity ledger seq 1: entry content altered",
        "provider_consent p1|county-a: altered since it was last written",
        "provider_consent p3|c: not in the ledger (written around it)",
    ]


async def test_two_chainers_at_once_neither_fork_nor_double_the_chain(
    db: Database, database_url: str
) -> None:
    """Two processes' chainers (two engines) while writes go on: every digest chained once, one
    unbroken chain. Meant for PostgreSQL, where the chainers really overlap (SQLite has one
    writer at a time)."""
    other = Database(database_url)
    writes, chained = 60, []

    async def write(n: int) -> None:
        await _grant(db, f"s{n}")
        await _widen(db, f"s{n}", "openid profile")

    async def chainer(on: Database) -> None:
        for _ in range(12):
            chained.append(await chain_pending(on, batch=5))

    try:
        await asyncio.gather(*(write(n) for n in range(writes)), chainer(db), chainer(other))
        chained.append(await chain_pending(other))
    finally:
        await other.dispose()
    entries = await _entries(db)
    assert sum(chained) == len(entries) == 2 * writes
    assert [e.seq for e in entries] == list(range(1, 2 * writes + 1))
    assert await _pending(db) == 0
    async with db.read_session() as session:
        assert await ledger_problems(session) == []


@pytest.fixture
def cli_var(cli_env: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RUXUE_VAR_DIR", str(tmp_path))  # no heads exported by other tests
    from_environment()


async def test_the_cli_chains_and_verify_says_how_many_wait(db: Database, cli_var: None) -> None:
    await _grant(db, "p1")
    verify = await asyncio.to_thread(CliRunner().invoke, cli, ["audit", "verify"])
    assert verify.exit_code == 0 and "待入链 1 条" in verify.output, verify.output
    done = await asyncio.to_thread(CliRunner().invoke, cli, ["audit", "chain"])
    assert done.exit_code == 0 and "1 条待入链记录已入链" in done.output, done.output
    assert await _pending(db) == 0 and len(await _entries(db)) == 1
