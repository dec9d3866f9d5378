"""Every dashboard table as CSV (UTF-8 with a BOM, so Excel reads the Chinese) or xlsx."""

import csv
import io
from collections.abc import Sequence

from fastapi.responses import Response
from openpyxl import Workbook

from ruxue.kit.cells import safe_cell

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


SHEETS = {"districts": "各区", "schools": "学校", "departments": "部门接口"}
PERCENT = "0.0%"


def is_rate(field: str) -> bool:
    return field.endswith("_rate") or field == "availability"


def csv_cell(field: str, value: object) -> object:
    """A rate as the xlsx shows it (66.7%); CSV has no number formats to carry the 0.6667."""
    if is_rate(field) and isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value:.1%}"
    return safe_cell(value)


def as_csv(columns: Sequence[tuple[str, str]], rows: Sequence[dict[str, object]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([title for _, title in columns])
    writer.writerows([[csv_cell(field, row.get(field)) for field, _ in columns] for row in rows])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def as_xlsx(
    columns: Sequence[tuple[str, str]], rows: Sequence[dict[str, object]], title: str
) -> bytes:
    """One sheet named in Chinese; rates stay numbers (0.6667) shown as percentages (66.7%), so
    a sum or a chart in Excel still works; the header row is frozen and the columns wide enough."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = SHEETS.get(title, title)[:31]
    sheet.append([safe_cell(t) for _, t in columns])
    for row in rows:
        sheet.append([safe_cell(row.get(field)) for field, _ in columns])
    for index, (field, header) in enumerate(columns, start=1):
        column = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[column].width = max(10, 2 * len(header) + 2)
        if is_rate(field):
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = PERCENT
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def download(
    columns: Sequence[tuple[str, str]], rows: Sequence[dict[str, object]], name: str, fmt: str
) -> Response:
    if fmt == "csv":
        body, media = as_csv(columns, rows), "text/csv; charset=utf-8"
    else:
        body, media = as_xlsx(columns, rows, name), XLSX
    disposition = f'attachment; filename="{name}.{fmt}"'
    return Response(body, media_type=media, headers={"content-disposition": disposition})
