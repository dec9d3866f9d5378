"""The dashboard's JSON, its tables as CSV/xlsx and the weekly 通报 PDF; all read the
materialised aggregates through ``repository.narrowed``, in a read session."""

import asyncio
import datetime as dt
from collections import defaultdict
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.dashboard import repository as repo
from ruxue.dashboard.export import download
from ruxue.dashboard.report import weekly_report
from ruxue.dashboard.schemas import COLUMNS, department_row, summary, unit_row
from ruxue.dashboard.service import refresh
from ruxue.kit.errors import Forbidden, NotFound
from ruxue.rating.rules import CHINA
from ruxue.rating.rules import settings as rating_settings
from ruxue.reference.districts import district_label, issuer_of
from ruxue.staff.service import audit
from ruxue.web.auth import CurrentStaff
from ruxue.web.deps import DatabaseDep, NowDep

router = APIRouter(prefix="/api/v1/dashboard", tags=["dashboard"])
UNASSIGNED = "未分配学校"  # the page explains it under the schools' table


async def scope_of(
    db: DatabaseDep, staff: CurrentStaff, district: str = "", school: str = ""
) -> repo.Scope:
    async with db.read_session() as session:
        return await repo.checked_scope(session, staff, district, school)


async def _summary(session: AsyncSession, scope: repo.Scope) -> dict[str, Any]:
    head = await repo.refreshed(session)
    schools = await repo.schools_of(session, scope)
    name = schools[0].name if scope.school and schools else ""
    return {
        "scope": {
            "level": scope.level,
            "district": scope.district,
            "school": scope.school,
            "label": scope.label(name),
        },
        "as_of": head.at.isoformat() if head else None,
        "capacity": sum(s.capacity for s in schools),
        **summary(await repo.totals(session, scope)),
    }


@router.get("/summary")
async def summary_json(
    request: Request,
    db: DatabaseDep,
    scope: repo.Scope = Depends(scope_of),
) -> dict[str, Any]:
    async with db.read_session() as session:
        return await _summary(session, scope)


@router.get("/applications")
async def applications(
    request: Request,
    db: DatabaseDep,
    period: str = "hour",
    scope: repo.Scope = Depends(scope_of),
) -> dict[str, Any]:
    """Applications and automatic decisions per hour or Beijing day, per unit and channel."""
    async with db.read_session() as session:
        rows = await repo.series(session, scope, "district")
    points: defaultdict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0])
    for bucket, unit, channel, apps, auto in rows:
        local = bucket.astimezone(CHINA)
        t = f"{local:%Y-%m-%d %H}:00" if period == "hour" else f"{local:%Y-%m-%d}"
        point = points[(t, unit, channel)]
        point[0] += apps
        point[1] += auto
    unit = "school" if scope.district else "district"
    return {
        "period": period,
        "unit": unit,
        "points": [
            {
                "t": t,
                "unit": u,
                "unit_label": district_label(u) if unit == "district" else u,
                "channel": ch,
                "applications": a,
                "auto_decided": d,
            }
            for (t, u, ch), (a, d) in sorted(points.items())
        ],
    }


async def _units(session: AsyncSession, scope: repo.Scope, unit: str) -> list[dict[str, object]]:
    schools = await repo.schools_of(session, scope)
    figures = await repo.by_unit(session, scope, unit)
    if unit == "school":
        names = {s.code: (s.name, s.capacity) for s in schools}
        codes = sorted(set(names) | set(figures))
        return [
            unit_row(
                c,
                names.get(c, (c or UNASSIGNED, None))[0],
                names.get(c, ("", None))[1],
                figures.get(c, {}),
            )
            for c in codes
        ]
    capacity: defaultdict[str, int] = defaultdict(int)
    for s in schools:
        capacity[s.district_code] += s.capacity
    codes = sorted(set(capacity) | set(figures))
    return [unit_row(c, district_label(c), capacity.get(c), figures.get(c, {})) for c in codes]


async def _table(session: AsyncSession, scope: repo.Scope, name: str) -> list[dict[str, object]]:
    if name == "departments":
        return [
            department_row(code, d) for code, d in sorted((await repo.departments(session)).items())
        ]
    if name in ("districts", "schools"):
        return await _units(session, scope, name.removesuffix("s"))
    raise NotFound("没有这张表")


@router.get("/tables/{name}.{fmt}")
async def table(
    request: Request,
    db: DatabaseDep,
    name: str,
    fmt: str,
    staff: CurrentStaff,
    scope: repo.Scope = Depends(scope_of),
) -> Any:
    if fmt not in ("json", "csv", "xlsx"):
        raise NotFound("只支持 json、csv、xlsx")
    async with db.read_session() as session:
        rows = await _table(session, scope, name)
    if fmt == "json":
        return {"rows": rows}
    async with db.write_session() as session:
        await audit(
            session,
            staff,
            "dashboard_export",
            target=name,
            scope=scope.level,
            district=scope.district,
            school=scope.school,
        )
    columns = COLUMNS["departments" if name == "departments" else "units"]
    return download(columns, rows, name, fmt)


@router.get("/report.pdf")
async def report(
    request: Request,
    db: DatabaseDep,
    now: NowDep,
    scope: repo.Scope = Depends(scope_of),
) -> Response:
    """The weekly 通报: the districts (city scope) and schools that lag behind the thresholds."""
    async with db.read_session() as session:
        head = await _summary(session, scope)
        units = [] if scope.district else [("区", await _units(session, scope, "district"))]
        units.append(("学校", await _units(session, scope, "school")))
    as_of = dt.datetime.fromisoformat(head["as_of"]) if head["as_of"] else now
    issuer = issuer_of(scope.district)
    pdf = await asyncio.to_thread(
        weekly_report, head["scope"]["label"], as_of, head, units, rating_settings().report, issuer
    )
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"content-disposition": 'inline; filename="weekly-report.pdf"'},
    )


@router.post("/refresh")
async def refresh_now(
    request: Request,
    db: DatabaseDep,
    staff: CurrentStaff,
) -> dict[str, Any]:
    """Materialise the aggregates now (the job does it every five minutes)."""
    if staff.role != "admin":
        raise Forbidden("只有市级管理员可以立即刷新")
    async with db.write_session() as session:
        rows = await refresh(session)
    return {"rows": rows}
