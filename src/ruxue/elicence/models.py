"""One row per issued seat notice: its filing in the e-licence library and its SM2 signature."""

import datetime as dt

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ruxue.kit.clock import utcnow
from ruxue.kit.db import Base, BigId, UtcDateTime

PENDING, REGISTERED, REVOKING, REVOKED = "pending", "registered", "revoking", "revoked"


class Licence(Base):
    """``pending`` until the library files it, ``revoking`` until the library revokes it. A notice
    issued again after a revocation has a new number (``enrollment.decision.notice_no``); rows
    written before that change may share one, so the index is not unique and the newest row of a
    case is its licence."""

    __tablename__ = "elicence_licence"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("enrollment_case.id"), index=True)
    licence_no: Mapped[str] = mapped_column(String(40), index=True)
    verify_code: Mapped[str] = mapped_column(String(40), unique=True)
    holder_masked: Mapped[str] = mapped_column(String(40), default="")
    issuer: Mapped[str] = mapped_column(String(80), default="")
    status: Mapped[str] = mapped_column(String(12), default=PENDING, index=True)
    pdf_sm3: Mapped[str] = mapped_column(String(64), default="")
    signature_hex: Mapped[str] = mapped_column(Text, default="")  # DER (r, s), SM2 with SM3
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary)  # the signed bytes, served as signed
    key_id: Mapped[str] = mapped_column(String(16), default="")  # the published seal key's id
    signed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    revoke_reason: Mapped[str] = mapped_column(Text, default="")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    issued_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    registered_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
