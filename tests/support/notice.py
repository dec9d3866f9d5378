"""Shared test support moved from tests/notice/test_render.py (imported by other test modules)."""

import datetime as dt

import httpx
from sqlalchemy import select

from ruxue.cases.models import Case
from ruxue.kit.db import Database
from ruxue.notice.render import NoticeData
from ruxue.notice.service import final_document
from ruxue.settings import Settings

DATA = NoticeData(
    notice_no="320508-2026-ABC1234567", child_name="王小明", child_id_masked="320508********0213",
    segment="小学一年级（幼升小）", school_name="苏州市平江实验学校", category="A类（房产与户籍均在施教区内）",
    issuer="苏州市姑苏区教育局", issued_on=dt.date(2026, 6, 15), verify_url="http://127.0.0.1:8000/verify/Zx9-abc_DEF",
)  # fmt: skip


async def make_document(db: Database, settings: Settings, case_no: str) -> None:
    """What the decision's job does after the commit (nothing consumes the tests' queue): the
    notice sealed, the 不予通过告知书 rendered and kept, with the web app's settings."""
    async with db.write_session() as session:
        case = (await session.scalars(select(Case).where(Case.case_no == case_no))).one()
        await final_document(session, case, settings.seal_key_file, settings.public_url)


async def downloaded(
    http: httpx.AsyncClient, db: Database, settings: Settings, url: str
) -> httpx.Response:
    """A notice's PDF as its clients get it: 202 ("being prepared", with Retry-After) while its
    job has not made it; then, once the job did (run here), the PDF."""
    answer = await http.get(url)
    if answer.status_code == 202:
        assert answer.json()["status"] == "preparing" and int(answer.headers["retry-after"]) > 0
        await make_document(db, settings, url.split("/")[-2])
        answer = await http.get(url)
    return answer
