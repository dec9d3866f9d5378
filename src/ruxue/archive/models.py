"""Archive packages, the case-event Merkle log and the record of every 四性检测 run."""

import datetime as dt

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ruxue.kit.db import Base, UtcDateTime, utcnow

BigId = BigInteger().with_variant(Integer, "sqlite")


class ArchivePackage(Base):
    __tablename__ = "archive_package"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("enrollment_case.id"), unique=True)
    archive_no: Mapped[str] = mapped_column(String(60), unique=True)
    location: Mapped[str] = mapped_column(String(300))
    school_code: Mapped[str | None] = mapped_column(String(10), index=True)
    district_code: Mapped[str | None] = mapped_column(String(6), index=True)
    digest: Mapped[str] = mapped_column(String(64))  # SHA-256 of the tag manifest at capture
    leaf_index: Mapped[int] = mapped_column(BigInteger)
    built_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class LogLeaf(Base):
    """One leaf of the append-only case-event log: the SM3 leaf hash of a package's trace."""

    __tablename__ = "archive_log_leaf"

    index: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=False)
    archive_no: Mapped[str] = mapped_column(String(60), unique=True)
    leaf_hash: Mapped[str] = mapped_column(String(64))


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
