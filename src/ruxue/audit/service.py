"""The heads of the append-only logs (the call log's chains, the audit log, the archive's Merkle
log, the integrity ledger's chains over cases, their trace, ratings, consents and guardianship
events), signed with the seal and exported to a directory outside the database, never over an
earlier export; and the check of every log against its chain and against every exported head.
Someone who can rewrite the database can rewrite a whole chain consistently, but not the heads
already exported."""

import base64
import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.archive import merkle
from ruxue.archive.models import LogHead, LogLeaf
from ruxue.audit import repository as ledger
from ruxue.audit.rules import chain_problem, merkle_problem, signed_bytes
from ruxue.exchange.models import CallLogEntry, CallLogHead
from ruxue.exchange.repository import verify_chains
from ruxue.kit import sm2
from ruxue.kit.crypto import sm3_hex
from ruxue.kit.db import Database
from ruxue.kit.sm2 import SealKey
from ruxue.staff.models import AuditEntry, AuditHead
from ruxue.staff.service import audit, verify_audit


async def chain_pending(db: Database, batch: int = ledger.CHAIN_BATCH) -> int:
    """Move every pending digest of the integrity ledger into its chain, ``batch`` per transaction
    (the worker's periodic job, the heads' export, ``ruxue audit chain``); the count moved."""
    moved = 0
    while True:
        async with db.write_session() as session:
            done = await session.run_sync(ledger.chain, batch)
        moved += done
        if done < batch:
            return moved


async def current_heads(session: AsyncSession) -> dict[str, Any]:
    calls = (await session.scalars(select(CallLogHead).order_by(CallLogHead.chain))).all()
    audit = await session.get(AuditHead, 1)
    archive = await session.get(LogHead, 1)
    return {
        "call_log": [{"chain": h.chain, "seq": h.seq, "entry_hash": h.entry_hash} for h in calls],
        "audit_log": {
            "seq": audit.seq if audit else 0,
            "entry_hash": audit.entry_hash if audit else "",
        },
        "archive_log": {
            "size": archive.size if archive else 0,
            "root": archive.root if archive else "",
        },
        "ledger": await ledger.heads(session),
    }


async def signed_heads(session: AsyncSession, seal: SealKey, now: dt.datetime) -> dict[str, Any]:
    heads = await current_heads(session)
    return {
        "at": now.astimezone(dt.UTC).isoformat(),
        "heads": heads,
        "signature": base64.b64encode(seal.sign(signed_bytes(heads, now))).decode(),
        "public_key": seal.public_pem().decode(),
    }


class HeadsExists(FileExistsError):
    """An exported head is never overwritten."""


def write_heads(document: dict[str, Any], out: Path) -> Path:
    """Write signed heads as ``heads-<time>-<digest>.json``: two exports at the same (fixed) time
    get two names, and the file appears whole by a link that refuses an existing name."""
    out.mkdir(parents=True, exist_ok=True)
    at = dt.datetime.fromisoformat(document["at"])
    text = json.dumps(document, ensure_ascii=False, indent=1)
    target = out / f"heads-{at:%Y%m%dT%H%M%S%fZ}-{sm3_hex(text.encode())[:12]}.json"
    scratch = out / f".{target.name}.{os.getpid()}.tmp"
    scratch.write_text(text)
    try:
        os.link(scratch, target)
    except FileExistsError as exc:
        raise HeadsExists(f"{target.name} already exported; not overwritten") from exc
    finally:
        scratch.unlink()
    return target


def read_exported(heads_dir: Path) -> list[tuple[str, dict[str, Any]]]:
    paths = sorted(heads_dir.glob("heads-*.json")) if heads_dir.is_dir() else []
    return [(p.name, json.loads(p.read_text())) for p in paths]


async def exported_problems(
    session: AsyncSession, name: str, document: dict[str, Any], public_pem: bytes
) -> list[str]:
    """What one exported head file says is wrong with the logs now."""
    at = dt.datetime.fromisoformat(document["at"])
    heads = document["heads"]
    signature = base64.b64decode(document["signature"])
    if not sm2.verify(public_pem, signed_bytes(heads, at), signature):
        return [f"{name}: signature does not verify with the seal's public key"]
    problems = [
        chain_problem(f"call log chain {e['chain']}", e, await _call_hash(session, e))
        for e in heads["call_log"]
    ]
    audit = heads["audit_log"]
    found = await session.scalar(
        select(AuditEntry.entry_hash).where(AuditEntry.seq == audit["seq"])
    )
    problems.append(chain_problem("audit log", audit, found))
    archive = heads["archive_log"]
    problems.append(merkle_problem(archive, await _root_at(session, archive["size"])))
    if "ledger" in heads:
        found = await ledger.entry_hash_at(session, heads["ledger"]["seq"])
        problems.append(chain_problem("integrity ledger", heads["ledger"], found))
    return [f"{name}: {p}" for p in problems if p]


async def _call_hash(session: AsyncSession, exported: dict[str, Any]) -> str | None:
    return await session.scalar(
        select(CallLogEntry.entry_hash).where(
            CallLogEntry.chain == exported["chain"], CallLogEntry.seq == exported["seq"]
        )
    )


async def _root_at(session: AsyncSession, size: int) -> str | None:
    rows = await session.scalars(
        select(LogLeaf.leaf_hash).where(LogLeaf.index < size).order_by(LogLeaf.index)
    )
    leaves = [bytes.fromhex(h) for h in rows.all()]
    return merkle.root(leaves).hex() if len(leaves) == size else None


async def verify_all(
    session: AsyncSession, exported: list[tuple[str, dict[str, Any]]], seal: SealKey
) -> list[str]:
    """Every chain break, and every exported head the logs no longer agree with."""
    problems = await verify_chains(session) + await verify_audit(session)
    problems += await ledger.ledger_problems(session)
    for name, document in exported:
        problems += await exported_problems(session, name, document, seal.public_pem())
    return problems


async def adopt_unrecorded(session: AsyncSession) -> dict[str, int]:
    """Records the ledger has never seen enter it as they are, with an audit entry naming how
    many of each kind (``ruxue audit adopt``, after the ledger's migration or a bulk seed)."""
    adopted = await ledger.adopt(session)
    await audit(session, None, "ledger_adopt", "integrity_ledger", **adopted)
    return adopted
