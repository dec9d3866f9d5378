"""学区查询: a compound or an address to the schools whose catchment holds it."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ruxue.county.routing import routing_of
from ruxue.county.rules import elsewhere
from ruxue.kit.db import Database
from ruxue.reference.repository import all_schools, find_compounds
from ruxue.settings import Settings
from ruxue.web.deps import DatabaseDep, SettingsDep
from ruxue.web.render import render

router = APIRouter()


async def lookup(db: Database, q: str, settings: Settings | None = None) -> list[dict[str, object]]:
    """The compounds matching ``q`` and their schools; with ``settings``, also where a family of
    a district that applies in another system goes (``county.rules.elsewhere``)."""
    q = q.strip()
    if len(q) < 2:
        return []
    async with db.read_session() as session:
        compounds = await find_compounds(session, q)
        schools = await all_schools(session)
        routing = await routing_of(session, settings) if settings else None
    return [
        {"compound_code": c.code, "address": c.address,
         "schools": [{"code": s.code, "name": s.name, "segment": s.segment} for s in schools if c.code in s.compound_codes],
         **({"elsewhere": elsewhere(routing, c.district_code)} if routing else {})}
        for c in compounds
    ]  # fmt: skip


@router.get("/api/v1/catchment", tags=["schools"])
async def catchment_api(db: DatabaseDep, q: str) -> list[dict[str, object]]:
    return await lookup(db, q)


@router.get("/catchment", response_class=HTMLResponse, include_in_schema=False)
async def catchment_page(
    request: Request, db: DatabaseDep, settings: SettingsDep, q: str = ""
) -> Response:
    results = await lookup(db, q, settings) if q else None
    return render(request, "catchment.html", q=q, results=results)
