"""Every figure of the dashboard's JSON equals a direct SQL count over the base tables, on a
generated city of 500 families, for the city, a district and a school; the exports agree."""

import asyncio
import csv
import datetime as dt
import io
import math
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook
from sqlalchemy import text

from ruxue.dashboard.seed import City, seed_city
from ruxue.kit.db import Database
from ruxue.settings import Settings
from tests.support.helpers import ServerThread
from tests.support.staff import make_staff, staff_client
from tests.support.tools import checked_pdf_text

pytestmark = pytest.mark.slow

FINAL = "('notice_issued', 'rejected')"
DECIDED_AT = (
    "(SELECT max(e.at) FROM case_event e WHERE e.case_id = c.id"
    " AND e.action IN ('decide', 'review_approve', 'review_reject'))"
)


def where(district: str, school: str, alias: str = "c", school_column: str = "school_code") -> str:
    """The scope as SQL; a case's school is its seat, or the desk that registered it."""
    out = ""
    if district:
        out += f" AND {alias}.district_code = '{district}'"
    if school and alias == "c":
        out += f" AND coalesce(c.school_code, c.desk_school) = '{school}'"
    elif school:
        out += f" AND {alias}.{school_column} = '{school}'"
    return out


async def scalar(db: Database, sql: str, **params: Any) -> int:
    async with db.read_session() as session:
        return int((await session.execute(text(sql), params)).scalar_one() or 0)


async def direct(
    db: Database, now: dt.datetime, district: str = "", school: str = ""
) -> dict[str, Any]:
    c = where(district, school)
    r = where(district, school, "r")
    submitted = (
        f"FROM enrollment_case c WHERE c.submitted_at IS NOT NULL AND c.status <> 'withdrawn'{c}"
    )
    reviewed = "c.id IN (SELECT case_id FROM case_event WHERE action LIKE 'review_%')"
    final = f"FROM enrollment_case c WHERE c.status IN {FINAL} AND {DECIDED_AT} IS NOT NULL{c}"
    unrated = f"{final} AND NOT EXISTS (SELECT 1 FROM rating x WHERE x.case_id = c.id)"
    items = f"FROM rating_rectification r JOIN rating g ON g.id = r.rating_id WHERE r.status <> 'set_aside'{r}"
    cutoff = now - dt.timedelta(days=7)
    counts = {
        "applications": await scalar(db, f"SELECT count(*) {submitted}"),
        "auto_decided": await scalar(
            db, f"SELECT count(*) {submitted} AND c.status <> 'manual_review' AND NOT {reviewed}"
        ),
        "backlog": await scalar(db, f"SELECT count(*) {submitted} AND c.status = 'manual_review'"),
        "needs_materials": await scalar(
            db, f"SELECT count(*) {submitted} AND c.status = 'needs_materials'"
        ),
        "decided": await scalar(db, f"SELECT count(*) {final}"),
        "active": await scalar(
            db,
            f"SELECT count(*) {final} AND EXISTS (SELECT 1 FROM rating x WHERE x.case_id = c.id)",
        ),
        "active_good": await scalar(
            db,
            f"SELECT count(*) {final} AND EXISTS (SELECT 1 FROM rating x WHERE x.case_id = c.id AND x.level >= 3)",
        ),
        "defaulted": await scalar(
            db, f"SELECT count(*) {unrated} AND {DECIDED_AT} <= :cutoff", cutoff=cutoff
        ),
        "bad": await scalar(db, f"SELECT count(*) {items}"),
        "bad_rectified": await scalar(
            db, f"SELECT count(*) {items} AND r.status IN ('replied', 'closed')"
        ),
        "bad_named": await scalar(db, f"SELECT count(*) {items} AND g.real_name"),
        "bad_named_visited": await scalar(
            db, f"SELECT count(*) {items} AND g.real_name AND r.visited_at IS NOT NULL"
        ),
        "set_aside": await scalar(
            db, f"SELECT count(*) FROM rating_rectification r WHERE r.status = 'set_aside'{r}"
        ),
        "overdue": await scalar(
            db,
            f"SELECT count(*) {items} AND ((r.status = 'open' AND r.contact_due <= :now)"
            " OR (r.status IN ('visited', 'fixed') AND r.fix_due <= :now))",
            now=now,
        ),
        "filed": await scalar(db, f"SELECT count(*) FROM archive_package r WHERE 1 = 1{r}"),
        "checks_failed": await scalar(
            db,
            "SELECT count(*) FROM archive_check_run k JOIN archive_package r"
            f" ON r.archive_no = k.archive_no WHERE NOT k.passed{r}",
        ),
        "capacity": await scalar(
            db,
            f"SELECT sum(capacity) FROM school r WHERE 1 = 1{where(district, school, 'r', 'code')}",
        ),
    }
    async with db.read_session() as session:
        ages = (
            await session.execute(
                text(f"SELECT c.submitted_at {submitted} AND c.status = 'manual_review'")
            )
        ).scalars()
        counts["backlog_over"] = sum(
            now - dt.datetime.fromisoformat(str(a)).replace(tzinfo=dt.UTC) > dt.timedelta(days=6)
            for a in ages
        )
    counts["good"] = counts["active_good"] + counts["defaulted"]  # the default level (3) is good
    return counts


def rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def check_summary(got: dict[str, Any], want: dict[str, Any]) -> None:
    assert got["applications"]["total"] == want["applications"]
    assert got["applications"]["auto_decided"] == want["auto_decided"]
    assert got["applications"]["auto_rate"] == rate(want["auto_decided"], want["applications"])
    assert got["capacity"] == want["capacity"]
    assert got["backlog"]["count"] == sum(got["backlog"]["bands"].values()) == want["backlog"]
    assert got["backlog"]["over_limit"] == want["backlog_over"]
    assert got["needs_materials"] == want["needs_materials"]
    counts = got["ratings"]["counts"]
    for key in (
        "decided",
        "active",
        "active_good",
        "defaulted",
        "good",
        "bad",
        "bad_rectified",
        "bad_named",
        "bad_named_visited",
        "set_aside",
    ):
        assert counts[key] == want[key], key
    f = got["ratings"]["figures"]
    assert f["good_rate"] == rate(want["good"], want["active"] + want["defaulted"])
    assert f["active_rate"] == rate(want["active"], want["decided"])
    assert f["unrated_rate"] == rate(want["defaulted"], want["decided"])
    assert f["rectified_rate"] == rate(want["bad_rectified"], want["bad"])
    assert f["visited_rate"] == rate(want["bad_named_visited"], want["bad_named"])
    assert got["overdue"] == want["overdue"]
    assert (
        got["archive"]["filed"] == want["filed"]
        and got["archive"]["checks_failed"] == want["checks_failed"]
    )


async def check_departments(db: Database, http: httpx.AsyncClient, now: dt.datetime) -> None:
    rows = (await http.get("/api/v1/dashboard/tables/departments.json")).json()["rows"]
    since = now - dt.timedelta(days=7)
    assert sum(r["calls"] for r in rows) == await scalar(
        db, "SELECT count(*) FROM exchange_call WHERE at >= :s", s=since
    )
    police = next(r for r in rows if r["department"] == "公安")
    latencies = "SELECT latency_ms FROM exchange_call WHERE department = 'police' AND at >= :s ORDER BY latency_ms"
    async with db.read_session() as session:
        values = list((await session.execute(text(latencies), {"s": since})).scalars())
    assert police["calls"] == len(values) > 0
    assert police["p95_ms"] == values[math.ceil(0.95 * len(values)) - 1]
    answered = "SELECT count(*) FROM exchange_call WHERE department = 'police' AND at >= :s AND outcome IN ('ok', 'no_record')"
    assert police["answered"] == await scalar(db, answered, s=since)


async def test_every_dashboard_figure_equals_a_direct_count(
    web: ServerThread, db: Database, settings: Settings
) -> None:
    assert settings.now is not None
    now = settings.now
    async with db.write_session() as session:
        await seed_city(session, City(500, now=now))
    admin = await staff_client(web, "city", await make_staff(db, "city", "admin"))
    assert (await admin.post("/api/v1/dashboard/refresh")).status_code == 200
    city = await direct(db, now)
    assert all(
        city[k] > 0 for k in ("backlog_over", "overdue", "set_aside", "defaulted", "checks_failed")
    )
    check_summary((await admin.get("/api/v1/dashboard/summary")).json(), city)

    districts = (await admin.get("/api/v1/dashboard/tables/districts.json")).json()["rows"]
    busiest = max(districts, key=lambda r: r["applications"])
    for row in districts:
        assert row["applications"] == (await direct(db, now, row["code"]))["applications"]
    reviewer = await staff_client(
        web, "rev", await make_staff(db, "rev", "reviewer", district=busiest["code"])
    )
    got = (
        await reviewer.get("/api/v1/dashboard/summary?district=320000")
    ).json()  # a reviewer stays home
    assert got["scope"] == {
        "level": "district",
        "district": busiest["code"],
        "school": "",
        "label": busiest["name"],
    }
    check_summary(got, await direct(db, now, busiest["code"]))

    schools = (await reviewer.get("/api/v1/dashboard/tables/schools.json")).json()["rows"]
    school = max(schools, key=lambda r: r["applications"])["code"]
    desk = await staff_client(
        web, "desk", await make_staff(db, "desk", "desk", school=school, district=busiest["code"])
    )
    check_summary(
        (await desk.get("/api/v1/dashboard/summary")).json(),
        await direct(db, now, busiest["code"], school),
    )
    await check_departments(db, admin, now)

    hourly = (await admin.get("/api/v1/dashboard/applications?period=hour")).json()["points"]
    daily = (await admin.get("/api/v1/dashboard/applications?period=day")).json()["points"]
    assert (
        sum(p["applications"] for p in hourly)
        == sum(p["applications"] for p in daily)
        == city["applications"]
    )
    assert sum(p["auto_decided"] for p in hourly) == city["auto_decided"]
    home = await direct(db, now, busiest["code"])
    in_district = (await reviewer.get("/api/v1/dashboard/applications?period=hour")).json()
    assert in_district["unit"] == "school"
    assert sum(p["applications"] for p in in_district["points"]) == home["applications"]
    assert sum(p["auto_decided"] for p in in_district["points"]) == home["auto_decided"]
    await check_exports(admin, districts)
    for client in (admin, reviewer, desk):
        await client.aclose()


async def check_exports(http: httpx.AsyncClient, districts: list[dict[str, Any]]) -> None:
    body = (await http.get("/api/v1/dashboard/tables/districts.csv")).content
    assert body.startswith("\ufeff".encode())
    table = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert table[0][:4] == ["代码", "名称", "学位数", "报名数"]
    assert [(r[0], int(r[3])) for r in table[1:]] == [
        (d["code"], d["applications"]) for d in districts
    ]
    book = load_workbook(
        io.BytesIO((await http.get("/api/v1/dashboard/tables/districts.xlsx")).content)
    )
    sheet = book.active
    assert sheet is not None
    assert [(r[0], r[3]) for r in sheet.iter_rows(min_row=2, values_only=True)] == [
        (d["code"], d["applications"]) for d in districts
    ]
    pdf = (await http.get("/api/v1/dashboard/report.pdf")).content
    report = await asyncio.to_thread(checked_pdf_text, pdf)
    assert "苏州市义务教育入学“一件事”办理情况通报" in report
    lagging = [
        d["name"]
        for d in districts
        if (d["auto_rate"] is not None and d["auto_rate"] < 0.6) or d["overdue"] > 0
    ]
    for name in lagging:
        assert name in report
