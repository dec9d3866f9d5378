"""Reads and appends of the call log and consents. The log is appended in its own transaction:
a call that happened stays logged even when the case's transaction rolls back."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import String, bindparam, cast, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.exchange.models import CallLogEntry, CallLogHead, CallSubject, Consent
from ruxue.exchange.rules import GENESIS, HASHED_FIELDS, chain_problems, entry_hash
from ruxue.kit.db import Base, locked_row

CALLS, SUBJECTS = (Base.metadata.tables[m.__tablename__] for m in (CallLogEntry, CallSubject))
_SUBJECT_BY_REQUEST = insert(SUBJECTS).from_select(
    ["call_id", "subject_index"],
    select(CallLogEntry.id, cast(bindparam("subject_index"), String)).where(
        CallLogEntry.request_id == bindparam("request_id")
    ),
)


async def append_entries(session: AsyncSession, chain: int, rows: Sequence[dict[str, Any]]) -> int:
    """Append rows (without chain fields) to one chain, linking each to the one before: lock the
    head, insert the entries, index their subjects, move the head (at the flush) — four
    statements whatever the number of rows. The count appended."""
    head = await locked_row(
        session, CallLogHead, {"chain": chain}, {"seq": 0, "entry_hash": GENESIS}
    )
    entries = []
    for row in rows:
        entry = {**row, "chain": chain, "seq": head.seq + 1, "prev_hash": head.entry_hash}
        entry["entry_hash"] = entry_hash(entry)
        entries.append(entry)
        head.seq, head.entry_hash = entry["seq"], entry["entry_hash"]
    if not entries:
        return 0
    # one executemany each, not an ORM object (and an INSERT … RETURNING id) per row: a batch's
    # entry names hundreds of persons, whose index rows find their entry by its request id
    await session.execute(insert(CALLS), entries)
    subjects = [
        {"request_id": e["request_id"], "subject_index": s} for e in entries for s in e["subjects"]
    ]
    if subjects:
        await session.execute(_SUBJECT_BY_REQUEST, subjects)
    return len(entries)


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
    session: AsyncSession, subject_indexes: Sequence[str], limit: int = 500
) -> Sequence[CallLogEntry]:
    query = (
        select(CallLogEntry)
        .join(CallSubject, CallSubject.call_id == CallLogEntry.id)
        .where(CallSubject.subject_index.in_(subject_indexes))
        .order_by(CallLogEntry.at.desc())
        .limit(limit)
    )
    return (await session.scalars(query)).all()


async def get_consent(session: AsyncSession, consent_id: str) -> Consent | None:
    return await session.get(Consent, consent_id)


async def consents_in_order(session: AsyncSession, consent_ids: Sequence[str]) -> list[Consent]:
    """The consents with these ids, in the order given, in one query."""
    found = {
        c.id: c for c in await session.scalars(select(Consent).where(Consent.id.in_(consent_ids)))
    }
    return [found[i] for i in consent_ids]
