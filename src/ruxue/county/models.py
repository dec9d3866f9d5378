"""Tables of county reporting: on the city, the registered clients, their access tokens and the
reported stages; on a county, the outbox of stages still to be sent."""

import datetime as dt

from sqlalchemy import JSON, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ruxue.kit.clock import utcnow
from ruxue.kit.db import Base, BigId, UtcDateTime


class Client(Base):
    """A county system registered by the city administrator: it reports the stages of its own
    district's cases (``report``) and/or logs its staff in through the city (``oidc``). With an
    ``enrollment_url`` it runs enrollment for its district: the city then starts no case for a
    child of that district and sends the family there (``county/routing.py``)."""

    __tablename__ = "county_client"

    client_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    district_code: Mapped[str] = mapped_column(String(6))
    secret_hash: Mapped[str] = mapped_column(String(64), default="")  # SHA-256 of a random secret
    jwks: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)  # for private_key_jwt
    jwks_uri: Mapped[str] = mapped_column(String(300), default="")  # or its keys fetched from here
    redirect_uris: Mapped[list[str]] = mapped_column(JSON, default=list)
    post_logout_redirect_uris: Mapped[list[str]] = mapped_column(JSON, default=list)
    backchannel_logout_uri: Mapped[str] = mapped_column(String(300), default="")
    full_id_number: Mapped[bool] = mapped_column(default=False)  # its role needs the full number
    # where the district's guardians apply, when this county runs enrollment ("" = the city does)
    enrollment_url: Mapped[str] = mapped_column(String(300), default="", server_default="")
    active: Mapped[bool] = mapped_column(default=True)
    last_report_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class AccessToken(Base):
    """An opaque bearer token of the client credentials grant, kept as its hash."""

    __tablename__ = "county_access_token"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    client_id: Mapped[str] = mapped_column(String(80), index=True)
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class UsedAssertion(Base):
    """``jti`` of client assertions (private_key_jwt) already used, until they expire."""

    __tablename__ = "county_used_assertion"

    jti: Mapped[str] = mapped_column(String(200), primary_key=True)
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class StageReport(Base):
    """One stage of one case as last reported (city side): upserted on (case number, stage),
    keeping the highest data version, so duplicates and reordering are harmless."""

    __tablename__ = "case_stage_report"
    __table_args__ = (
        UniqueConstraint("case_no", "stage", name="uq_case_stage_report"),
        Index("ix_case_stage_report_district_stage", "district_code", "stage"),
        Index("ix_case_stage_report_child", "child_index"),
        Index("ix_case_stage_report_applicant", "applicant_index"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    case_no: Mapped[str] = mapped_column(String(40))
    stage: Mapped[str] = mapped_column(String(10))
    item_code: Mapped[str] = mapped_column(String(40))
    item_version: Mapped[str] = mapped_column(String(20))
    district_code: Mapped[str] = mapped_column(String(6))
    stage_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    unit: Mapped[str] = mapped_column(String(100))
    result: Mapped[str] = mapped_column(String(40), default="")
    data_version: Mapped[int] = mapped_column(Integer)
    data_state: Mapped[int] = mapped_column(Integer, default=1)
    client_id: Mapped[str] = mapped_column(String(80))
    # blind indexes (the city's key) of the child's and the applicant's ID numbers, when the
    # county sent them: the city finds a family's county case by them, never stores the numbers
    child_index: Mapped[str | None] = mapped_column(String(64))
    applicant_index: Mapped[str | None] = mapped_column(String(64))
    received_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class CaseOwner(Base):
    """Which county client (and district) owns a reported case number: the first to report it.
    Claimed by INSERT … ON CONFLICT DO NOTHING, so two counties racing to a new number get one
    owner, whatever stages they report."""

    __tablename__ = "county_case_owner"

    case_no: Mapped[str] = mapped_column(String(40), primary_key=True)
    client_id: Mapped[str] = mapped_column(String(80))
    district_code: Mapped[str] = mapped_column(String(6))
    claimed_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class OutboxRow(Base):
    """A stage still to be sent to the city (county side), written in the transaction that made
    the stage. The relay leases rows, sends them, and marks them sent or schedules a retry;
    after ``MAX_ATTEMPTS`` a row is dead (listed for the administrator) until retried by hand."""

    __tablename__ = "report_outbox"
    __table_args__ = (Index("ix_report_outbox_pending", "sent_at", "dead_at", "next_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    case_no: Mapped[str] = mapped_column(String(40), index=True)
    stage: Mapped[str] = mapped_column(String(10))
    data_version: Mapped[int] = mapped_column(Integer)
    payload: Mapped[dict[str, object]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(40))
    claimed_until: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    dead_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str] = mapped_column(String(300), default="")
