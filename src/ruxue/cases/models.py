"""The case and its processing trace. Personal data is stored encrypted. Only
``cases.lifecycle`` writes ``status`` and ``outcome``."""

import datetime as dt

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ruxue.cases.status import ENDED, Status, sql_list
from ruxue.kit.clock import utcnow
from ruxue.kit.db import Base, BigId, UtcDateTime

FREES_CHILD = f"status NOT IN {sql_list(ENDED)}"


class Case(Base):
    """One application: one child, one year, one segment, whatever the channel."""

    __tablename__ = "enrollment_case"
    # one live case per child, year and segment; a withdrawn or rejected case frees the child
    __table_args__ = (
        Index(
            "uq_case_child",
            "year",
            "segment",
            "child_index",
            unique=True,
            postgresql_where=text(FREES_CHILD),
            sqlite_where=text(FREES_CHILD),
        ),
        # the look-up of a child's case binds the statuses as parameters, which neither database
        # matches to the partial index above: without this it scans every case (peak day)
        Index("ix_case_child_index", "child_index"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    case_no: Mapped[str] = mapped_column(String(40), unique=True)
    year: Mapped[int] = mapped_column(Integer)
    segment: Mapped[str] = mapped_column(String(10))
    channel: Mapped[str] = mapped_column(String(10), default="online")
    desk_school: Mapped[str | None] = mapped_column(
        String(10), index=True
    )  # the school whose desk registered the case or saw its originals: it keeps seeing it
    status: Mapped[str] = mapped_column(String(20), default=Status.DRAFT.value, index=True)
    step: Mapped[int] = mapped_column(Integer, default=1)
    district_code: Mapped[str | None] = mapped_column(String(6), index=True)
    guardian_index: Mapped[str] = mapped_column(String(64), index=True)
    guardian_enc: Mapped[str] = mapped_column(String(200))
    child_index: Mapped[str] = mapped_column(String(64))
    child_enc: Mapped[str] = mapped_column(String(200))
    child_name_masked: Mapped[str] = mapped_column(String(40), default="")
    spouse_index: Mapped[str | None] = mapped_column(String(64))
    phone_enc: Mapped[str] = mapped_column(String(200), default="")  # for notifications
    single_parent: Mapped[bool | None] = mapped_column(Boolean)
    # indexed: the cohort's look-ups of a property's uses (PROPERTY_IN_USE, the seat lock)
    chosen_cert: Mapped[str | None] = mapped_column(String(80), index=True)
    draft_enc: Mapped[str] = mapped_column(
        Text, default=""
    )  # the fetched facts, SM4-encrypted JSON
    consent_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    outcome: Mapped[str | None] = mapped_column(String(20))
    school_code: Mapped[str | None] = mapped_column(String(10), index=True)
    category: Mapped[str | None] = mapped_column(String(2))
    # the cohort's run: "catchment" or "overflow" (统筹) for a placed seat; None otherwise
    placement: Mapped[str | None] = mapped_column(String(10))
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    missing: Mapped[list[str]] = mapped_column(JSON, default=list)
    explanation: Mapped[str] = mapped_column(Text, default="")
    notice_no: Mapped[str | None] = mapped_column(String(40), unique=True)
    verify_code: Mapped[str | None] = mapped_column(String(40), unique=True)
    notice_issued_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    # the 不予通过告知书 of a rejected case; its verification code is ``verify_code`` (a case has
    # one final document: a seat notice or a rejection notice, never both)
    rejection_no: Mapped[str | None] = mapped_column(String(40), unique=True)
    rejected_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # how many trace events the case has: the next event's number without a look-up
    events: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # seat notices issued so far, a revoked one included: a notice issued again gets a new number
    notices: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class CaseEvent(Base):
    """The processing trace: every step of a case, in order. Never updated."""

    __tablename__ = "case_event"
    __table_args__ = (UniqueConstraint("case_id", "seq", name="uq_case_event_seq"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("enrollment_case.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(40))
    detail: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    # set on a new event so one flush writes a new case and its first events together
    case: Mapped[Case] = relationship(lazy="raise")
