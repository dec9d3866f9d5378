"""The bureau's imported policy versions: per district and year, each import a new version
(``ruxue policy import``); the newest is in force, the shipped files are the defaults."""

import datetime as dt

from sqlalchemy import JSON, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ruxue.kit.clock import utcnow
from ruxue.kit.db import Base, BigId, UtcDateTime


class PolicyVersion(Base):
    """One imported version: the file as written, the keys as validated, who and when."""

    __tablename__ = "policy_version"
    __table_args__ = (UniqueConstraint("district_code", "year", "version"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    district_code: Mapped[str] = mapped_column(String(6))
    year: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer)  # 1, 2, … per district and year
    source_name: Mapped[str] = mapped_column(String(200))  # the file's name, as imported
    toml_text: Mapped[str] = mapped_column(Text)
    keys: Mapped[dict[str, object]] = mapped_column(JSON)  # the keys the file sets, validated
    digest: Mapped[str] = mapped_column(String(64))  # SHA-256 of the keys (the cache's check)
    imported_by: Mapped[str] = mapped_column(String(60))
    imported_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(timezone=True), default=utcnow)
