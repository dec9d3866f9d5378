"""Shared test support moved from tests/notice/test_render.py (imported by other test modules)."""

import datetime as dt

from ruxue.notice.render import NoticeData

DATA = NoticeData(
    notice_no="320508-2026-ABC1234567", child_name="王小明", child_id_masked="320508********0213",
    segment="小学一年级（幼升小）", school_name="苏州市平江实验学校", category="A类（房产与户籍均在施教区内）",
    issuer="苏州市姑苏区教育局", issued_on=dt.date(2026, 6, 15), verify_url="http://127.0.0.1:8000/verify/Zx9-abc_DEF",
)  # fmt: skip
