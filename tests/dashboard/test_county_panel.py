"""The city dashboard draws the county picture: per district and stage, the figures in the page's
table and in its chart are those of ``/api/v1/county/picture`` (the same service function); a
silent county is named in words; a district's view has its own row only; a school's has none."""

import json
from typing import Any

import httpx
import lxml.html

from ruxue.county.rules import STAGES
from ruxue.kit.db import Database
from tests.support.county import county_reports
from tests.support.helpers import ServerThread
from tests.support.staff import make_staff, staff_client


def panel(
    page: httpx.Response,
) -> tuple[dict[str, dict[str, int]], dict[str, str], dict[str, Any]]:
    """The table's figures per district, the words beside each county system, the chart's data."""
    assert page.status_code == 200, page.text[:300]
    doc = lxml.html.fromstring(page.text)
    figures, words = {}, {}
    for row in doc.xpath('//table[@id="table-counties"]//tr[@data-district]'):
        cells = {
            td.get("data-stage") or td.get("data-col"): int(td.text_content())
            for td in row.xpath("td[@data-stage or @data-col]")
        }
        figures[row.get("data-district")] = cells
        for county in row.xpath(".//div[@data-client]"):
            words[county.get("data-client")] = county.text_content()
    chart = json.loads(doc.xpath('//*[@id="chart-counties"]')[0].get("data-chart"))
    return figures, words, chart


def expected(picture: dict[str, list[dict[str, object]]]) -> dict[str, dict[str, int]]:
    rows: dict[str, dict[str, int]] = {}
    for c in picture["counts"]:
        row = rows.setdefault(
            str(c["district_code"]), dict.fromkeys([*STAGES, "total", "own", "reported"], 0)
        )
        row[str(c["stage"])] += int(c["total"])  # type: ignore[call-overload]
        for key in ("total", "own", "reported"):
            row[key] += int(c[key])  # type: ignore[call-overload]
    for c in picture["counties"]:
        rows.setdefault(
            str(c["district_code"]), dict.fromkeys([*STAGES, "total", "own", "reported"], 0)
        )
    return rows


async def test_the_dashboard_shows_the_county_picture(web: ServerThread, db: Database) -> None:
    await county_reports(web, db)
    admin = await staff_client(web, "city", await make_staff(db, "city", "admin"))
    picture = (await admin.get("/api/v1/county/picture")).json()
    figures, words, chart = panel(await admin.get("/staff/dashboard"))
    assert figures == expected(picture)
    assert figures["320506"]["total"] == 4 and figures["320583"]["reported"] == 3  # not vacuous
    assert "超时未上报" in words["wujiang"] and "从未上报" in words["wujiang"]
    assert "超时未上报" not in words["kunshan"] and words["kunshan"].startswith(
        "320583 县区系统：正常"
    )
    districts = sorted(figures)
    assert [s["stage"] for s in chart["series"]] == list(STAGES.values())
    for series, stage in zip(chart["series"], STAGES, strict=True):
        assert series["data"] == [figures[d][stage] for d in districts]
    assert [label.endswith("（有县区超时未上报）") for label in chart["districts"]] == [
        d == "320509" for d in districts
    ]
    await admin.aclose()


async def test_a_district_sees_its_own_row_and_a_school_none(
    web: ServerThread, db: Database
) -> None:
    await county_reports(web, db)
    reviewer = await staff_client(
        web, "ks-rev", await make_staff(db, "ks-rev", "reviewer", district="320583")
    )
    admin = await staff_client(web, "city", await make_staff(db, "city", "admin"))
    figures, words, _ = panel(await reviewer.get("/staff/dashboard"))
    city, _, _ = panel(await admin.get("/staff/dashboard"))
    assert figures == {"320583": city["320583"]} and list(words) == ["kunshan"]
    desk = await staff_client(
        web,
        "gs-desk",
        await make_staff(db, "gs-desk", "desk", school="3205080101", district="320508"),
    )
    page = await desk.get("/staff/dashboard")
    assert page.status_code == 200 and 'id="county-panel"' not in page.text
    for client in (reviewer, admin, desk):
        await client.aclose()


async def test_the_county_page_names_districts_and_has_the_staff_ways_out(
    web: ServerThread, db: Database
) -> None:
    await county_reports(web, db)
    admin = await staff_client(web, "city", await make_staff(db, "city", "admin"))
    page = await admin.get("/staff/county")
    assert page.status_code == 200
    doc = lxml.html.fromstring(page.text)
    assert doc.xpath("string(//h1)") == "县区数据汇聚"
    assert doc.xpath('//form[@action="/staff/logout"]//button[@id="logout"]')
    assert doc.xpath('//a[@href="/staff"]') and doc.xpath('//a[@href="/staff/dashboard"]')
    rows = doc.xpath('//table[@id="county-counts"]//tr[@data-district]')
    names = {row.get("data-district"): row.xpath("string(td[1])") for row in rows}
    assert names["320506"] == "吴中区" and names["320583"] == "昆山市"
    clients = doc.xpath('string(//table[@id="county-clients"])')
    assert "wujiang · 吴江区" in clients and "· 320509" not in clients
    await admin.aclose()
