"""Writing and reading the integrity ledger (``audit.models``). Every ORM flush that adds, changes
or removes a covered record digests it, and the commit adds the digests to the pending ones in the
same transaction, with one INSERT and no lock (listeners on the session, installed by the
composition root); ``chain`` moves pending digests into the hash chain, many per transaction, for
the chainers (``audit.service.chain_pending``: the worker's periodic job, the CLI).
``ledger_problems`` names every record whose fields no longer match its newest digest (chained or
pending), every record missing from the ledger and every break in the chain. A write that
bypasses the ORM is, by design, reported as an edit."""

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Insert, delete, event, func, insert, inspect, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction, UOWTransaction

from ruxue.audit.models import IntegrityEntry, IntegrityHead, IntegrityPending
from ruxue.audit.rules import ENTRY_FIELDS, record_digest, record_problems
from ruxue.cases.models import Case, CaseEvent
from ruxue.exchange.models import Consent
from ruxue.guardianship.models import GuardianshipEvent, GuardianshipRequest
from ruxue.kit.chain import GENESIS, chain_problems, entry_hash
from ruxue.kit.clock import utcnow
from ruxue.kit.db import Base
from ruxue.provider.models import Consent as ProviderConsent
from ruxue.rating.models import Rating, Rectification


@dataclass(frozen=True)
class Covered:
    """A kind of record and the fields its digest covers: its blind indexes (whose family a case
    or request is), not its ciphertexts. ``ruxue keys rotate`` re-enters the rows it rewrites."""

    kind: str
    model: type[Any]
    fields: tuple[str, ...]


def _fields(names: str) -> tuple[str, ...]:
    return tuple(names.split())


COVERED = (
    Covered(
        "case",
        Case,
        _fields(
            "case_no year segment district_code status outcome school_code category reasons"
            " explanation notice_no verify_code notice_issued_at rejection_no rejected_at"
            " guardian_index child_index spouse_index"
        ),
    ),
    Covered("case_event", CaseEvent, _fields("case_id seq at actor action detail")),
    Covered(
        "rating",
        Rating,
        _fields(
            "case_id channel level indicators comment real_name rated_at changed_at changes"
            " reopened"
        ),
    ),
    Covered(
        "rectification",
        Rectification,
        _fields("rating_id case_id status round closed_at appeal_reason history"),
    ),
    Covered(
        "consent",
        Consent,
        _fields("departments fields purpose case_no channel granted_at expires_at withdrawn_at"),
    ),
    Covered("provider_consent", ProviderConsent, _fields("scopes full_id_number granted_at")),
    Covered(
        "guardianship_request",
        GuardianshipRequest,
        _fields(
            "request_no applicant_index child_index district_code relationship status reason"
            " consent_id created_at decided_at"
        ),
    ),
    Covered(
        "guardianship_event", GuardianshipEvent, _fields("request_id seq at actor action detail")
    ),
)
BY_MODEL = {c.model: c for c in COVERED}
BY_TABLE = {c.model.__table__: c for c in COVERED}


def record_key(obj: Any) -> str:
    return "|".join(str(v) for v in inspect(obj).mapper.primary_key_from_instance(obj))


def _values(covered: Covered, obj: Any) -> dict[str, Any]:
    return {f: getattr(obj, f) for f in covered.fields}


def _changed(covered: Covered, obj: Any) -> bool:
    state = inspect(obj)
    return any(state.attrs[f].history.has_changes() for f in covered.fields)


def _writes(session: Session) -> list[tuple[Covered, str, str]]:
    """(kind, record key, digest) of every covered record this flush added, changed or removed."""
    writes = []
    for obj in [*session.new, *session.dirty, *session.deleted]:
        covered = BY_MODEL.get(type(obj))
        if covered is None:
            continue
        if obj in session.deleted:
            writes.append((covered, record_key(obj), ""))
        elif obj in session.new or _changed(covered, obj):
            writes.append((covered, record_key(obj), record_digest(_values(covered, obj))))
    return writes


WRITES = "integrity_writes"  # session.info: writes flushed, not yet recorded
CHAIN = "ledger"
CHAIN_BATCH = 1000  # pending digests chained per transaction


def record(session: Session, writes: Iterable[tuple[str, str, str]]) -> None:
    """Add (kind, record key, digest) writes to the pending digests in the caller's transaction:
    one INSERT whatever their number, and no lock that another transaction waits on (a write
    that commits has its digests committed with it)."""
    at = utcnow()
    rows = [{"kind": kind, "record_key": key, "digest": d, "at": at} for kind, key, d in writes]
    if rows:
        session.execute(insert(IntegrityPending), rows)


def _head(session: Session) -> tuple[int, str]:
    """The chain's head, locked for the rest of the transaction (created on first use)."""
    lock = (
        update(IntegrityHead)
        .where(IntegrityHead.chain == CHAIN)
        .values(seq=IntegrityHead.seq)
        .returning(IntegrityHead.seq, IntegrityHead.entry_hash)
    )
    row = session.execute(lock).one_or_none()
    if row is None:  # the first chaining ever: two chainers may get here at once
        session.execute(_insert_once(session))
        row = session.execute(lock).one()
    return int(row[0]), str(row[1])


def _insert_once(session: Session) -> Insert:
    """The genesis head, inserted unless another transaction just did (ON CONFLICT DO NOTHING
    waits for that one to commit on PostgreSQL, so the lock that follows sees its row)."""
    dialect = session.get_bind().dialect.name
    make = postgresql_insert if dialect == "postgresql" else sqlite_insert
    values = {"chain": CHAIN, "seq": 0, "entry_hash": GENESIS}
    return make(IntegrityHead).values(**values).on_conflict_do_nothing(index_elements=["chain"])


def chain(session: Session, limit: int = CHAIN_BATCH) -> int:
    """Move up to ``limit`` pending digests, oldest first, into the chain after its head: lock the
    head, take the rows (DELETE … RETURNING), insert the entries, move the head — four statements
    whatever their number; the count moved. Only a chainer locks the head, so two chainers (two
    processes) take turns, and the second's DELETE no longer sees the rows the first took: each
    digest is chained once, and the chain does not fork. Two writes of one record are in ``id``
    order (the second waited on the first's row lock before it took its id)."""
    seq, prev = _head(session)
    pending = Base.metadata.tables[IntegrityPending.__tablename__]
    oldest = select(pending.c.id).order_by(pending.c.id).limit(limit).scalar_subquery()
    taken = session.execute(
        delete(pending)
        .where(pending.c.id.in_(oldest))
        .returning(
            pending.c.id, pending.c.kind, pending.c.record_key, pending.c.digest, pending.c.at
        )
    ).all()
    if not taken:
        return 0
    entries: list[dict[str, Any]] = []
    for row in sorted(taken, key=lambda r: int(r.id)):
        seq += 1
        entry: dict[str, Any] = {"kind": row.kind, "seq": seq, "record_key": row.record_key}
        entry |= {"digest": row.digest, "prev_hash": prev, "at": row.at}
        prev = entry["entry_hash"] = entry_hash(entry, ENTRY_FIELDS)
        entries.append(entry)
    session.execute(insert(IntegrityEntry), entries)
    session.execute(
        update(IntegrityHead).where(IntegrityHead.chain == CHAIN).values(seq=seq, entry_hash=prev)
    )
    return len(entries)


def _after_flush(session: Session, _context: UOWTransaction) -> None:
    """Digest what this flush wrote; the digests are recorded once, at the commit."""
    writes = [(c.kind, key, digest) for c, key, digest in _writes(session)]
    if writes:
        session.info.setdefault(WRITES, []).extend(writes)


def _before_commit(session: Session) -> None:
    session.flush()  # what the commit would flush, digested now
    record(session, session.info.pop(WRITES, []))


def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    """A transaction that ended without committing leaves nothing pending (a savepoint's end
    leaves the outer transaction's writes)."""
    if transaction.parent is None:
        session.info.pop(WRITES, None)


def install() -> None:
    """Record every covered write from now on (idempotent)."""
    for name, listener in (
        ("after_flush", _after_flush),
        ("before_commit", _before_commit),
        ("after_transaction_end", _after_transaction_end),
    ):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)


async def reenter(session: AsyncSession, table: Any, keys: Sequence[Any]) -> None:
    """Rows of a covered table rewritten around the ORM on purpose (``ruxue keys rotate``): each
    enters the ledger (pending) as it now is, in the caller's transaction."""
    covered = BY_TABLE.get(table)
    if covered is None or not keys:
        return
    (pk,) = table.primary_key.columns
    query = select(covered.model).where(pk.in_(keys)).execution_options(populate_existing=True)
    rows = (await session.scalars(query)).all()
    writes = [(covered.kind, record_key(r), record_digest(_values(covered, r))) for r in rows]
    await session.run_sync(record, writes)


async def adopt(session: AsyncSession) -> dict[str, int]:
    """Records that have no entry at all (written before the ledger existed, or in bulk around
    the ORM by ``dashboard.seed``) enter it as they are; a record with an entry (chained or
    pending) is never adopted, so an edit stays an edit. The count of each kind adopted."""
    writes: list[tuple[str, str, str]] = []
    for covered in COVERED:
        kind = IntegrityEntry.kind == covered.kind
        # pending first: a digest a chainer moves meanwhile is then seen twice, never missed
        waiting = IntegrityPending.kind == covered.kind
        known = set(
            (await session.scalars(select(IntegrityPending.record_key).where(waiting))).all()
        )
        known |= set((await session.scalars(select(IntegrityEntry.record_key).where(kind))).all())
        for row in (await session.scalars(select(covered.model))).all():
            if (key := record_key(row)) not in known:
                writes.append((covered.kind, key, record_digest(_values(covered, row))))
    await session.run_sync(record, writes)
    return dict(Counter(kind for kind, _, _ in writes))


async def heads(session: AsyncSession) -> dict[str, Any]:
    head = await session.get(IntegrityHead, CHAIN)
    return {"seq": head.seq if head else 0, "entry_hash": head.entry_hash if head else ""}


async def entry_hash_at(session: AsyncSession, seq: int) -> str | None:
    return await session.scalar(select(IntegrityEntry.entry_hash).where(IntegrityEntry.seq == seq))


async def _entries(session: AsyncSession) -> list[dict[str, Any]]:
    query = select(IntegrityEntry).order_by(IntegrityEntry.seq)
    columns = (*ENTRY_FIELDS, "entry_hash")
    return [{c: getattr(e, c) for c in columns} for e in (await session.scalars(query)).all()]


async def _pending(session: AsyncSession) -> list[dict[str, Any]]:
    query = select(IntegrityPending).order_by(IntegrityPending.id)
    return [
        {"kind": p.kind, "record_key": p.record_key, "digest": p.digest}
        for p in (await session.scalars(query)).all()
    ]


async def pending_count(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(IntegrityPending)) or 0)


async def ledger_problems(session: AsyncSession) -> list[str]:
    """Every break in the chain, and every record that differs from, or is missing in, it. A
    record's newest digest is its newest pending one, if any (a pending digest is always newer
    than the chained ones of its record), else its newest chained one."""
    # pending first: a digest a chainer moves meanwhile is then read twice, never missed
    pending = await _pending(session)
    entries = await _entries(session)
    head = await session.get(IntegrityHead, CHAIN)
    last = {"seq": head.seq, "entry_hash": head.entry_hash} if head else None
    problems = chain_problems(entries, last, ENTRY_FIELDS, "integrity ledger")
    for covered in COVERED:
        rows = (await session.scalars(select(covered.model))).all()
        current = {record_key(r): record_digest(_values(covered, r)) for r in rows}
        mine = [e for e in (*entries, *pending) if e["kind"] == covered.kind]
        problems += record_problems(covered.kind, mine, current)
    return problems
