"""Issue 22: exports neutralise formulas. Text a spreadsheet would run (a school name, a note or a
label starting with = + - @, a tab or a carriage return) is written with a leading ``'``."""

import csv
import io

from openpyxl import load_workbook

from ruxue.dashboard.export import as_csv, as_xlsx
from ruxue.kit.cells import safe_cell

ATTACKS = ['=HYPERLINK("http://x","点我")', "+1+2", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]
COLUMNS = [("name", "学校"), ("count", "人数")]
ROWS: list[dict[str, object]] = [{"name": text, "count": -3} for text in ATTACKS]


def test_every_formula_start_is_prefixed_and_other_values_are_kept() -> None:
    assert [safe_cell(t) for t in ATTACKS] == ["'" + t for t in ATTACKS]
    assert [safe_cell(v) for v in ("苏州市实验小学", 12, -3, 1.5, None)] == [
        "苏州市实验小学",
        12,
        -3,
        1.5,
        "",
    ]


def test_csv_and_xlsx_exports_hold_no_formula() -> None:
    lines = list(csv.reader(io.StringIO(as_csv(COLUMNS, ROWS).decode("utf-8-sig"), newline="")))
    assert [line[0] for line in lines[1:]] == ["'" + t for t in ATTACKS]
    sheet = load_workbook(io.BytesIO(as_xlsx(COLUMNS, ROWS, "表"))).active
    assert sheet is not None
    cells = [sheet.cell(row=n, column=1) for n in range(2, len(ATTACKS) + 2)]
    assert [c.value for c in cells] == ["'" + t for t in ATTACKS]
    assert all(c.data_type == "s" for c in cells)  # text, not a formula ("f")
    assert sheet.cell(row=2, column=2).value == -3  # numbers stay numbers
