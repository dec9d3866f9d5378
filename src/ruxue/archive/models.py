"""Archive packages, the case-event Merkle log and the record of every 四性检测 run."""

import datetime as dt

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ruxue.kit.clock import utcnow
from ruxue.kit.db import Base, BigId, UtcDateTime


class ArchivePackage(Base):
    """A filed state of a case. A case whose notice was revoked has its earlier package marked
    ``superseded_at`` and a later one for its new decision: the library keeps every state."""

    __tablename__ = "archive_package"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("enrollment_case.id"), index=True)
    archive_no: Mapped[str] = mapped_column(String(60), unique=True)
    location: Mapped[str] = mapped_column(String(300))
    school_code: Mapped[str | None] = mapped_column(String(10), index=True)
    district_code: Mapped[str | None] = mapped_column(String(6), index=True)
    digest: Mapped[str] = mapped_column(String(64))  # SHA-256 of the tag manifest at capture
    leaf_index: Mapped[int] = mapped_column(BigInteger)
    built_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    superseded_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class LogLeaf(Base):
    """One leaf of the append-only case-event log: the SM3 leaf hash of a package's trace."""

    __tablename__ = "archive_log_leaf"

    index: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=False)
    archive_no: Mapped[str] = mapped_column(String(60), unique=True)
    leaf_hash: Mapped[str] = mapped_column(String(64))


class LogHead(Base):
    """The log's current head, one row: its size, root and compact range (the roots of its perfect
    subtrees, largest first), from which the next leaf's proof and the new root follow in O(log n).
    Appending locks this row, so leaves get consecutive indexes whatever the number of workers."""

    __tablename__ = "archive_log_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    size: Mapped[int] = mapped_column(BigInteger)
    root: Mapped[str] = mapped_column(String(64))
    frontier: Mapped[list[str]] = mapped_column(JSON)


class CheckRun(Base):
    __tablename__ = "archive_check_run"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    archive_no: Mapped[str] = mapped_column(String(60), index=True)
    stage: Mapped[str] = mapped_column(
        String(10)
    )  # GD (filing) | LTP (preservation) | TR (transfer)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    passed: Mapped[bool] = mapped_column(Boolean)
    results: Mapped[list[dict[str, object]]] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(Text, default="")


class FilingFailure(Base):
    """A case whose package could not be filed: how often it was tried, the last error and the
    checker's failing items. At ``MAX_ATTEMPTS`` the job and the sweep stop and the archivist
    acts; a package filed later removes the row."""

    __tablename__ = "archive_failure"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("enrollment_case.id"), unique=True)
    case_no: Mapped[str] = mapped_column(String(40))
    archive_no: Mapped[str] = mapped_column(String(60))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    failing: Mapped[list[dict[str, object]]] = mapped_column(JSON, default=list)
    first_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
