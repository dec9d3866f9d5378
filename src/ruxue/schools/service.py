"""Import the schools (and compounds) of a dataset file, replacing each district's set."""

import re

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.dataset.schemas import Dataset
from ruxue.exchange.records import Booklet, Property
from ruxue.reference.models import Compound, School

HOUSE_NUMBER = re.compile(r"\d+幢.*$")


def compound_addresses(data: Dataset) -> dict[str, tuple[str, str]]:
    """compound code -> (district, an address in it without building and room)."""
    found: dict[str, tuple[str, str]] = {}
    rows: list[Booklet | Property] = [*data.hukou_booklets, *data.properties]
    for row in rows:
        found.setdefault(row.compound_code, (row.district_code, HOUSE_NUMBER.sub("", row.address)))
    return found


async def import_schools(session: AsyncSession, data: Dataset) -> dict[str, int]:
    """Replace the schools and compounds of every district the file names; returns counts."""
    districts = {s.district_code for s in data.schools}
    compounds = {c: v for c, v in compound_addresses(data).items() if v[0] in districts}
    await session.execute(delete(School).where(School.district_code.in_(districts)))
    await session.execute(delete(Compound).where(Compound.district_code.in_(districts)))
    session.add_all(
        School(code=s.code, name=s.name, district_code=s.district_code, segment=s.segment,
               capacity=s.capacity, compound_codes=list(s.compound_codes))
        for s in data.schools
    )  # fmt: skip
    session.add_all(Compound(code=c, district_code=d, address=a) for c, (d, a) in compounds.items())
    await session.flush()
    return {"districts": len(districts), "schools": len(data.schools), "compounds": len(compounds)}
