"""Import the schools (and compounds) of a dataset file, replacing each district's set; from a
version-2 file also the bureau's own records: 统筹 lists, the seats given and the priority list."""

import re

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.dataset.schemas import Dataset
from ruxue.dataset.schemas import PriorityChild as DatasetPriority
from ruxue.exchange.records import Booklet, Property
from ruxue.kit import pii
from ruxue.reference.models import IMPORTED, Compound, PriorityChild, School, SeatHistory
from ruxue.reference.repository import forget_schools, seat_row
from ruxue.reference.seats import SeatRecord

HOUSE_NUMBER = re.compile(r"\d+幢.*$")


def compound_addresses(data: Dataset) -> dict[str, tuple[str, str]]:
    """compound code -> (district, an address in it without building and room)."""
    found: dict[str, tuple[str, str]] = {}
    rows: list[Booklet | Property] = [*data.hukou_booklets, *data.properties]
    for row in rows:
        found.setdefault(row.compound_code, (row.district_code, HOUSE_NUMBER.sub("", row.address)))
    return found


async def import_schools(session: AsyncSession, data: Dataset) -> dict[str, int]:
    """Replace the schools and compounds of every district the file names; returns counts. The
    file was checked whole (``dataset.service``): a bad row refuses it before anything is written."""
    districts = {s.district_code for s in data.schools}
    compounds = {c: v for c, v in compound_addresses(data).items() if v[0] in districts}
    forget_schools()  # this process reads them again (others within a minute)
    await session.execute(delete(School).where(School.district_code.in_(districts)))
    await session.execute(delete(Compound).where(Compound.district_code.in_(districts)))
    session.add_all(
        School(code=s.code, name=s.name, district_code=s.district_code, segment=s.segment,
               capacity=s.capacity, compound_codes=list(s.compound_codes),
               overflow_to=list(s.overflow_to))
        for s in data.schools
    )  # fmt: skip
    session.add_all(Compound(code=c, district_code=d, address=a) for c, (d, a) in compounds.items())
    counts = {
        "districts": len(districts),
        "schools": len(data.schools),
        "compounds": len(compounds),
    }
    if data.version >= 2:
        counts |= await import_bureau_records(session, data)
    await session.flush()
    return counts


async def import_bureau_records(session: AsyncSession, data: Dataset) -> dict[str, int]:
    """Replace every imported seat-history and priority row by the file's (a seat this system
    placed stays): the file is the bureau's whole record, so importing it again changes nothing."""
    await session.execute(delete(SeatHistory).where(SeatHistory.source == IMPORTED))
    await session.execute(delete(PriorityChild))
    session.add_all(
        seat_row(
            SeatRecord(r.cert_no, r.child_id_number, r.year, r.segment, r.school_code), IMPORTED
        )
        for r in data.seat_history
    )
    session.add_all(_priority_row(r) for r in data.priority_children)
    return {
        "seat_history": len(data.seat_history),
        "priority_children": len(data.priority_children),
    }


def _priority_row(row: DatasetPriority) -> PriorityChild:
    return PriorityChild(
        child_index=pii.blind_index(row.child_id_number),
        child_enc=pii.encrypt(row.child_id_number),
        group_code=row.group,
        district_code=row.district_code,
    )
