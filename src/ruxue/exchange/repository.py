"""Reads and appends of the call log and consents. The log is appended in its own transaction:
a call that happened stays logged even when the case's transaction rolls back."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.exchange.models import CallLogEntry, CallLogHead, CallSubject, Consent
from ruxue.exchange.rules import GENESIS, HASHED_FIELDS, chain_problems, entry_hash


async def _lock_head(session: AsyncSession, chain: int) -> CallLogHead:
    """Take the chain's write lock: the UPDATE locks the head row on PostgreSQL and takes the
    database write lock on SQLite, before anything is read."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    await session.execute(
        insert(CallLogHead).values(chain=chain, seq=0, entry_hash=GENESIS).on_conflict_do_nothing()
    )
    await session.execute(
        update(CallLogHead).where(CallLogHead.chain == chain).values(seq=CallLogHead.seq)
    )
    head = await session.get(CallLogHead, chain, populate_existing=True)
    assert head is not None
    return head


async def append_entries(
    session: AsyncSession, chain: int, rows: Sequence[dict[str, Any]]
) -> list[CallLogEntry]:
    """Append rows (without chain fields) to one chain, linking each to the one before."""
    head = await _lock_head(session, chain)
    entries = []
    for row in rows:
        entry = {**row, "chain": chain, "seq": head.seq + 1, "prev_hash": head.entry_hash}
        entry["entry_hash"] = entry_hash(entry)
        entries.append(CallLogEntry(**entry))
        head.seq, head.entry_hash = entry["seq"], entry["entry_hash"]
    session.add_all(entries)
    await session.flush()
    session.add_all(CallSubject(call_id=e.id, subject_index=s) for e in entries for s in e.subjects)
    await session.flush()
    return entries


def as_mapping(entry: CallLogEntry) -> dict[str, Any]:
    return {k: getattr(entry, k) for k in (*HASHED_FIELDS, "entry_hash")}


async def verify_chains(session: AsyncSession) -> list[str]:
    heads = {h.chain: h for h in (await session.scalars(select(CallLogHead))).all()}
    chains = set(heads) | set((await session.scalars(select(CallLogEntry.chain).distinct())).all())
    problems: list[str] = []
    for chain in sorted(chains):
        rows = await session.stream_scalars(
            select(CallLogEntry).where(CallLogEntry.chain == chain).order_by(CallLogEntry.seq)
        )
        entries = [as_mapping(e) async for e in rows]
        head = heads.get(chain)
        problems += chain_problems(
            entries,
            {"chain": chain, "seq": head.seq, "entry_hash": head.entry_hash} if head else None,
        )
        if head is None:
            problems.append(f"chain {chain}: entries without a head")
    return problems


async def calls_about(
    session: AsyncSession, subject_index: str, limit: int = 500
) -> Sequence[CallLogEntry]:
    query = (
        select(CallLogEntry)
        .join(CallSubject, CallSubject.call_id == CallLogEntry.id)
        .where(CallSubject.subject_index == subject_index)
        .order_by(CallLogEntry.at.desc())
        .limit(limit)
    )
    return (await session.scalars(query)).all()


async def get_consent(session: AsyncSession, consent_id: str) -> Consent | None:
    return await session.get(Consent, consent_id)
