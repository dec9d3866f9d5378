"""Reads of schools and compounds, and of the bureau's own records beyond them: 统筹 lists, the
seats given (一房一学位) and the priority list. Every function joins the caller's transaction."""

import time
import weakref
from collections.abc import Sequence

from sqlalchemy import Connection, Engine, delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.kit import pii
from ruxue.reference.models import PLACED, Compound, PriorityChild, School, SeatHistory
from ruxue.reference.schools import SchoolRef
from ruxue.reference.seats import PriorityRecord, SeatRecord


async def all_schools(session: AsyncSession) -> Sequence[School]:
    return (await session.scalars(select(School).order_by(School.code))).all()


# Every school as the rules read them, per database, kept by this process for a minute: the
# rules rank every school of the city on every residence step and submission (peak day: the
# whole table read and turned into ORM objects twice per application). Schools change by an
# import before the window opens; an import in this process forgets them at once, another
# process's is seen within SCHOOLS_FRESH_S.
SCHOOLS_FRESH_S = 60.0
_schools: weakref.WeakKeyDictionary[Engine, tuple[float, list[SchoolRef]]] = (
    weakref.WeakKeyDictionary()
)


def forget_schools() -> None:
    _schools.clear()


async def school_refs(session: AsyncSession) -> list[SchoolRef]:
    """Every school, ordered by code (a shared list: do not change it)."""
    bind = session.get_bind()
    key = bind.engine if isinstance(bind, Connection) else bind
    kept = _schools.get(key)
    if kept is not None and time.monotonic() - kept[0] < SCHOOLS_FRESH_S:
        return kept[1]
    columns = (School.code, School.name, School.district_code, School.segment)
    rows = await session.execute(select(*columns, School.compound_codes).order_by(School.code))
    refs = [SchoolRef(c, n, d, s, frozenset(codes)) for c, n, d, s, codes in rows]
    _schools[key] = (time.monotonic(), refs)
    return refs


async def school_name(session: AsyncSession, code: str) -> str | None:
    return next((s.name for s in await school_refs(session) if s.code == code), None)


async def get_school(session: AsyncSession, code: str) -> School | None:
    return await session.get(School, code)


async def find_compounds(session: AsyncSession, text: str, limit: int = 20) -> Sequence[Compound]:
    pattern = f"%{text}%"
    query = select(Compound).where(
        or_(Compound.code == text.upper(), Compound.address.like(pattern))
    )
    return (await session.scalars(query.order_by(Compound.code).limit(limit))).all()


async def overflow_of(session: AsyncSession, school_code: str) -> list[str]:
    """The school's 统筹 list, in order (empty: none, or no such school)."""
    school = await session.get(School, school_code)
    return list(school.overflow_to) if school else []


async def overflows(
    session: AsyncSession, district_code: str, segment: str
) -> dict[str, list[str]]:
    """Every school of the district and segment with its 统筹 list (empty lists included)."""
    rows = await session.execute(
        select(School.code, School.overflow_to)
        .where(School.district_code == district_code, School.segment == segment)
        .order_by(School.code)
    )
    return {code: list(targets or []) for code, targets in rows}


async def seat_uses(session: AsyncSession, cert_no: str, segment: str) -> list[SeatRecord]:
    """The seats the property gave in the segment, imported and placed, oldest first."""
    rows = await session.scalars(
        select(SeatHistory)
        .where(
            SeatHistory.cert_index.in_(pii.blind_indexes(cert_no)),
            SeatHistory.segment == segment,
        )
        .order_by(SeatHistory.year, SeatHistory.id)
    )
    return [_seat(row) for row in rows]


async def priorities_of(session: AsyncSession, child_id_number: str) -> list[PriorityRecord]:
    """The child's rows of the priority lists, every district's (a row counts only in its own)."""
    rows = await session.scalars(
        select(PriorityChild)
        .where(PriorityChild.child_index.in_(pii.blind_indexes(child_id_number)))
        .order_by(PriorityChild.id)
    )
    return [PriorityRecord(r.group_code, r.district_code) for r in rows]


def seat_row(seat: SeatRecord, source: str) -> SeatHistory:
    return SeatHistory(
        cert_index=pii.blind_index(seat.cert_no),
        cert_enc=pii.encrypt(seat.cert_no),
        child_index=pii.blind_index(seat.child_id_number),
        child_enc=pii.encrypt(seat.child_id_number),
        year=seat.year,
        segment=seat.segment,
        school_code=seat.school_code,
        source=source,
        case_id=seat.case_id,
    )


async def add_placed_seat(session: AsyncSession, seat: SeatRecord) -> None:
    """A seat this system placed (``seat.case_id`` set); kept across imports."""
    session.add(seat_row(seat, PLACED))
    await session.flush()


async def remove_placed_seat(session: AsyncSession, case_id: int) -> None:
    """A placed seat withdrawn or revoked: its property no longer counts as used by the case."""
    await session.execute(
        delete(SeatHistory).where(SeatHistory.source == PLACED, SeatHistory.case_id == case_id)
    )


def _seat(row: SeatHistory) -> SeatRecord:
    return SeatRecord(
        pii.decrypt(row.cert_enc),
        pii.decrypt(row.child_enc),
        row.year,
        row.segment,
        row.school_code,
        row.case_id,
    )
