"""Schools and their catchments: the education bureau's own data."""

from sqlalchemy import JSON, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ruxue.kit.db import Base


class School(Base):
    __tablename__ = "school"

    code: Mapped[str] = mapped_column(String(10), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    district_code: Mapped[str] = mapped_column(String(6), index=True)
    segment: Mapped[str] = mapped_column(String(10))
    capacity: Mapped[int] = mapped_column(Integer)
    compound_codes: Mapped[list[str]] = mapped_column(JSON)


class Compound(Base):
    """A residential compound (小区) and an address in it, for the catchment lookup."""

    __tablename__ = "compound"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    district_code: Mapped[str] = mapped_column(String(6), index=True)
    address: Mapped[str] = mapped_column(String(200))
