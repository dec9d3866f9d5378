"""Issue 23: the CSV export writes rates as the xlsx shows them (66.7%), not as 0.6667."""

import csv
import io

from ruxue.dashboard.export import as_csv

COLUMNS = [
    ("name", "学校"),
    ("auto_rate", "自动审批率"),
    ("availability", "可用率"),
    ("count", "人数"),
]


def test_csv_rates_are_percentages_and_counts_stay_numbers() -> None:
    rows: list[dict[str, object]] = [
        {"name": "一小", "auto_rate": 2 / 3, "availability": 1.0, "count": 3},
        {"name": "二小", "auto_rate": None, "availability": 0.0, "count": 0},
    ]
    text = as_csv(COLUMNS, rows).decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text, newline="")))
    assert lines[1] == ["一小", "66.7%", "100.0%", "3"]
    assert lines[2] == ["二小", "", "0.0%", "0"]
