"""The weekly 通报 says which week it covers, who issues it, when, under which 文号; the xlsx
exports have Chinese sheet names and show rates as percentages (numbers, formatted)."""

import asyncio
import datetime as dt
import io

from openpyxl import load_workbook

from ruxue.dashboard.rules import report_heading
from ruxue.kit.db import Database
from tests.support.county import county_reports
from tests.support.helpers import ServerThread
from tests.support.staff import make_staff, staff_client
from tests.support.tools import checked_pdf_text

ISSUED = dt.datetime(2026, 6, 15, 2, 0, tzinfo=dt.UTC)  # the tests' clock: a Monday in Beijing


def test_the_heading_names_the_week_the_issuer_and_the_number() -> None:
    heading = report_heading("吴中区教育局", ISSUED)
    assert heading.number == "吴中区教育局入学通报〔2026〕25号"
    assert heading.week == "2026年第25周（6月15日至6月15日）"
    assert (heading.issuer, heading.date) == ("吴中区教育局", "2026年6月15日")
    sunday = report_heading("苏州市教育局", ISSUED + dt.timedelta(days=6))
    assert sunday.week == "2026年第25周（6月15日至6月21日）"
    year_end = report_heading("苏州市教育局", dt.datetime(2027, 1, 1, 4, tzinfo=dt.UTC))
    assert year_end.number == "苏州市教育局入学通报〔2026〕53号"  # ISO week of 2027-01-01


async def test_the_report_and_the_sheets(web: ServerThread, db: Database) -> None:
    await county_reports(web, db)
    admin = await staff_client(web, "admin-rh", await make_staff(db, "admin-rh", "admin"))
    try:
        assert (await admin.post("/api/v1/dashboard/refresh")).status_code == 200
        pdf = (await admin.get("/api/v1/dashboard/report.pdf?district=320506")).content
        xlsx = (await admin.get("/api/v1/dashboard/tables/districts.xlsx")).content
        rows = (await admin.get("/api/v1/dashboard/tables/districts.json")).json()["rows"]
    finally:
        await admin.aclose()
    text = await asyncio.to_thread(checked_pdf_text, pdf)
    for words in ("入学通报〔2026〕25号", "2026年第25周", "2026年6月15日", "吴中区教育局"):
        assert words in text.replace(" ", ""), words
    sheet = load_workbook(io.BytesIO(xlsx)).active
    assert sheet is not None and sheet.title == "各区"
    header = [c.value for c in sheet[1]]
    rate = header.index("自动审批率") + 1
    cells = [sheet.cell(row=n, column=rate) for n in range(2, sheet.max_row + 1)]
    rated = [c for c in cells if isinstance(c.value, float)]
    assert rated and all(c.number_format == "0.0%" for c in rated)
    assert len(cells) == len(rows)
