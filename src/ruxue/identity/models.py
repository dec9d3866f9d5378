"""Sends to third persons (authorisation codes, notices), kept to limit how often they go."""

import datetime as dt

from sqlalchemy import BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ruxue.kit.db import Base, UtcDateTime, utcnow


class SmsSend(Base):
    """One message to a third person, under each key it counts against (a case, a person)."""

    __tablename__ = "sms_send"
    __table_args__ = (Index("ix_sms_send_key_at", "key", "at"),)

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    key: Mapped[str] = mapped_column(String(80))  # e.g. case:RX…, person:<blind index>
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
