"""The audit log's hash chain and the signed heads exported outside the database: an edited,
removed or consistently rewritten entry is named."""

import asyncio
import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import delete, select, update
from typer.testing import CliRunner

from ruxue.archive import merkle
from ruxue.archive.models import LogHead, LogLeaf
from ruxue.audit.service import read_exported, signed_heads, verify_all, write_heads
from ruxue.cli.main import app as cli
from ruxue.kit.chain import entry_hash
from ruxue.kit.db import Database
from ruxue.kit.sm2 import SealKey
from ruxue.settings import get_settings
from ruxue.staff.models import AuditEntry, AuditHead
from ruxue.staff.service import AUDIT_FIELDS, audit, verify_audit

NOW = dt.datetime(2026, 6, 15, 2, 0, tzinfo=dt.UTC)


async def _three_entries(db: Database) -> None:
    for n in range(3):
        async with db.write_session() as session:
            await audit(session, None, "desk_search", target=f"t{n}", note=f"n{n}")


async def _problems(db: Database) -> list[str]:
    async with db.read_session() as session:
        return await verify_audit(session)


async def test_an_edited_or_removed_entry_is_named(db: Database) -> None:
    await _three_entries(db)
    assert await _problems(db) == []
    async with db.write_session() as session:
        await session.execute(
            update(AuditEntry).where(AuditEntry.seq == 2).values(target="someone else")
        )
    assert await _problems(db) == ["audit log seq 2: entry content altered"]
    async with db.write_session() as session:
        await session.execute(update(AuditEntry).where(AuditEntry.seq == 2).values(target="t1"))
        await session.execute(delete(AuditEntry).where(AuditEntry.seq == 3))
    assert await _problems(db) == ["audit log: head says seq 3, log ends at 2"]
    async with db.write_session() as session:
        await session.execute(delete(AuditEntry).where(AuditEntry.seq == 1))
    assert "audit log: entry 1 missing before 2" in await _problems(db)


async def _rewrite_chain(db: Database) -> None:
    """What an attacker with write access could do: edit entry 1 and re-hash the whole chain."""
    async with db.write_session() as session:
        entries = (await session.scalars(select(AuditEntry).order_by(AuditEntry.seq))).all()
        prev = "0" * 64
        for e in entries:
            e.target = "rewritten" if e.seq == 1 else e.target
            e.prev_hash = prev
            e.entry_hash = prev = entry_hash({k: getattr(e, k) for k in AUDIT_FIELDS}, AUDIT_FIELDS)
        head = await session.get(AuditHead, 1)
        assert head is not None
        head.entry_hash = prev


async def _leaves(db: Database, count: int) -> list[bytes]:
    leaves = [merkle.leaf_hash(f"trace {i}".encode()) for i in range(count)]
    async with db.write_session() as session:
        session.add_all(
            LogLeaf(index=i, archive_no=f"DA{i}", leaf_hash=h.hex()) for i, h in enumerate(leaves)
        )
        session.add(LogHead(id=1, size=count, root=merkle.root(leaves).hex(), frontier=[]))
    return leaves


async def test_a_consistent_rewrite_is_caught_by_the_exported_heads(
    db: Database, tmp_path: Path
) -> None:
    await _three_entries(db)
    await _leaves(db, 5)
    seal = SealKey.generate()
    async with db.read_session() as session:
        write_heads(await signed_heads(session, seal, NOW), tmp_path)
    async with db.read_session() as session:
        assert await verify_all(session, read_exported(tmp_path), seal) == []
    await _rewrite_chain(db)
    assert await _problems(db) == []  # the chain alone cannot tell
    async with db.write_session() as session:
        await session.execute(update(LogLeaf).where(LogLeaf.index == 2).values(leaf_hash="00" * 32))
    async with db.read_session() as session:
        problems = await verify_all(session, read_exported(tmp_path), seal)
    assert any("audit log: entry 3 differs from the exported head" in p for p in problems)
    assert any(
        "archive log: the first 5 leaves no longer give the exported root" in p for p in problems
    )
    async with db.read_session() as session:
        other_seal = await verify_all(session, read_exported(tmp_path), SealKey.generate())
    assert any("signature does not verify" in p for p in other_seal)


async def test_cli_verify_names_the_entry(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli_env: None
) -> None:
    monkeypatch.setenv("RUXUE_VAR_DIR", str(tmp_path))
    get_settings.cache_clear()
    try:
        await _three_entries(db)
        exported = await asyncio.to_thread(CliRunner().invoke, cli, ["audit", "export-heads"])
        assert exported.exit_code == 0, exported.output
        intact = await asyncio.to_thread(CliRunner().invoke, cli, ["audit", "verify"])
        assert intact.exit_code == 0, intact.output
        async with db.write_session() as session:
            await session.execute(delete(AuditEntry).where(AuditEntry.seq == 2))
        broken = await asyncio.to_thread(CliRunner().invoke, cli, ["audit", "verify"])
        assert broken.exit_code == 1
        assert "entry 2 missing before 3" in broken.output
    finally:
        get_settings.cache_clear()
