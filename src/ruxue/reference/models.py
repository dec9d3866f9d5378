"""Schools and their catchments, the seats given and the priority list: the education bureau's
own data. ID numbers and certificate numbers only encrypted, found by their blind index."""

from sqlalchemy import JSON, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from ruxue.kit.db import Base, BigId

IMPORTED = "import"  # a row of the bureau's file, replaced by the next import
PLACED = "placed"  # a seat this system placed


class School(Base):
    __tablename__ = "school"

    code: Mapped[str] = mapped_column(String(10), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    district_code: Mapped[str] = mapped_column(String(6), index=True)
    segment: Mapped[str] = mapped_column(String(10))
    capacity: Mapped[int] = mapped_column(Integer)
    compound_codes: Mapped[list[str]] = mapped_column(JSON)
    # 统筹: school codes of the same district and segment, in the order they are tried
    overflow_to: Mapped[list[str]] = mapped_column(JSON, default=list, server_default=text("'[]'"))


class Compound(Base):
    """A residential compound (小区) and an address in it, for the catchment lookup."""

    __tablename__ = "compound"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    district_code: Mapped[str] = mapped_column(String(6), index=True)
    address: Mapped[str] = mapped_column(String(200))


class SeatHistory(Base):
    """A seat a property gave (一房一学位): a ``seat_history`` row of the bureau's file or a seat
    this system placed (``source``). The child and the school may be of earlier years, outside
    any dataset."""

    __tablename__ = "seat_history"
    __table_args__ = (Index("ix_seat_history_cert", "cert_index", "segment"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    cert_index: Mapped[str] = mapped_column(String(64))
    cert_enc: Mapped[str] = mapped_column(String(200))
    child_index: Mapped[str] = mapped_column(String(64), index=True)
    child_enc: Mapped[str] = mapped_column(String(100))
    year: Mapped[int] = mapped_column(Integer)
    segment: Mapped[str] = mapped_column(String(10))
    school_code: Mapped[str] = mapped_column(String(10))
    source: Mapped[str] = mapped_column(String(10), default=IMPORTED)
    case_id: Mapped[int | None] = mapped_column(BigId, index=True)  # a placed seat's case


class PriorityChild(Base):
    """A child on a district's priority list (group codes are free labels: military, talent …)."""

    __tablename__ = "priority_child"
    __table_args__ = (Index("ix_priority_child_child", "child_index"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    child_index: Mapped[str] = mapped_column(String(64))
    child_enc: Mapped[str] = mapped_column(String(100))
    group_code: Mapped[str] = mapped_column(String(40))
    district_code: Mapped[str] = mapped_column(String(6))
