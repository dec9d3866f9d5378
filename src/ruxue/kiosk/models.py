"""Terminals and their print jobs. A print job holds no document: the agent fetches the PDF, which
is rendered when asked, so nothing of a family is kept for the terminal beyond the job's row."""

import datetime as dt

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ruxue.kit.clock import utcnow
from ruxue.kit.db import Base, BigId, UtcDateTime

WAITING, TAKEN, PRINTED = "waiting", "taken", "printed"


class Terminal(Base):
    __tablename__ = "kiosk_terminal"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)  # "KSK-GS-001"
    name: Mapped[str] = mapped_column(String(80))  # where it stands
    key_hash: Mapped[str] = mapped_column(String(64))  # SM3 of the terminal's key
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class PrintJob(Base):
    __tablename__ = "kiosk_print_job"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    terminal_id: Mapped[int] = mapped_column(ForeignKey("kiosk_terminal.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("enrollment_case.id"))
    status: Mapped[str] = mapped_column(String(10), default=WAITING)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    taken_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    printed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
