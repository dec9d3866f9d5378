"""Cases rejected before the rejection notice existed get theirs when the database is upgraded,
so their packages can be filed with a document like every other final case."""

import sqlite3
from pathlib import Path

from ruxue.kit import migrate

COLUMNS = (
    "case_no, year, segment, channel, status, step, district_code, guardian_index, "
    "guardian_enc, child_index, child_enc, child_name_masked, phone_enc, draft_enc, "
    "consent_ids, outcome, reasons, missing, explanation, created_at, updated_at, "
    "submitted_at, version"
)


def _case(conn: sqlite3.Connection, case_no: str, outcome: str) -> None:
    at = "2026-06-15 02:00:00.000000"
    values = (
        case_no,
        2026,
        "primary",
        "online",
        outcome,
        7,
        "320508",
        case_no,
        "x",
        case_no,
        "x",
        "王*明",
        "",
        "",
        "[]",
        outcome,
        "[]",
        "[]",
        "",
        at,
        at,
        at,
        1,
    )
    conn.execute(f"INSERT INTO enrollment_case ({COLUMNS}) VALUES ({', '.join('?' * 23)})", values)


def test_old_rejections_get_a_number_and_a_verification_code(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    url = f"sqlite+aiosqlite:///{path}"
    migrate.upgrade(url, "02fdf6c3a76a")
    with sqlite3.connect(path) as conn:
        _case(conn, "RX2026P00000000AA", "rejected")
        _case(conn, "RX2026P00000000BB", "manual_review")
    migrate.upgrade(url)
    with sqlite3.connect(path) as conn:
        rows = conn.execute(
            "SELECT case_no, rejection_no, verify_code, rejected_at FROM enrollment_case ORDER BY case_no"
        ).fetchall()
    (_, number, code, at), other = rows
    assert number == "320508-2026-BY-00000000AA" and code and len(code) >= 16
    assert at.startswith("2026-06-15 02:00")
    assert other[1:] == (None, None, None)
