"""The integrity ledger: one hash chain over every write of the records a family's rights depend
on (the case row's decision fields, the case trace, ratings and their rectification, consents,
guardianship events). Each entry holds the kind and key of one record and the SM3 digest of its
fields as written; a record's newest entry must match the record, and the chain must hold.

A write transaction only adds its digests to ``integrity_pending`` (one INSERT, no lock shared
with any other transaction); a chainer (``audit.service.chain_pending``) moves them into the chain
later, in order, many per transaction. A pending digest counts as the record's newest."""

import datetime as dt

from sqlalchemy import BigInteger, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ruxue.kit.clock import utcnow
from ruxue.kit.db import Base, BigId, UtcDateTime


class IntegrityEntry(Base):
    """One write of one record: its key, the digest of its fields ("" when it was removed)."""

    __tablename__ = "integrity_entry"
    __table_args__ = (
        UniqueConstraint("seq", name="uq_integrity_entry_seq"),
        Index("ix_integrity_entry_record", "kind", "record_key"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(30))
    seq: Mapped[int] = mapped_column(BigInteger)
    record_key: Mapped[str] = mapped_column(String(200))
    digest: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64))


class IntegrityHead(Base):
    """The newest entry of the chain (one row, ``chain`` "ledger")."""

    __tablename__ = "integrity_head"

    chain: Mapped[str] = mapped_column(String(30), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    entry_hash: Mapped[str] = mapped_column(String(64))


class IntegrityPending(Base):
    """A write's digest, committed with the write and not yet chained (``id`` is the order)."""

    __tablename__ = "integrity_pending"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(30))
    record_key: Mapped[str] = mapped_column(String(200))
    digest: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
