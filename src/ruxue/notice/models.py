"""The 不予通过告知书 of a rejected case, as rendered once: by the job queued when the case is
rejected, or by the first reader once that job is late. Every later reader (the guardian, the
desk, the kiosk, the archive package) gets these bytes, not a fresh rendering. (The seat notice's
sealed bytes are its licence's: ``elicence.models.Licence.pdf``.)"""

import datetime as dt

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from ruxue.kit.clock import utcnow
from ruxue.kit.db import Base, BigId, UtcDateTime


class RejectionLetter(Base):
    __tablename__ = "notice_rejection_letter"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("enrollment_case.id"), unique=True)
    rejection_no: Mapped[str] = mapped_column(String(40))
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    pdf_sm3: Mapped[str] = mapped_column(String(64))
    rendered_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
