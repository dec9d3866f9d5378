"""A package that cannot be filed stops being retried after ``MAX_ATTEMPTS``: an error is logged,
the archivist's page lists the case with its failing items, and the sweep leaves it alone.

The failing package is a real one: a guardian uploaded an ordinary PDF (not PDF/A), which the
usability item GD-3-2 refuses."""

import asyncio
import datetime as dt
import io
import re
from pathlib import Path

import pytest
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy import select
from structlog.testing import capture_logs
from typer.testing import CliRunner

from ruxue.archive import tasks
from ruxue.archive.build import FilingFailed
from ruxue.archive.failures import MAX_ATTEMPTS
from ruxue.archive.models import ArchivePackage, CheckRun, FilingFailure
from ruxue.archive.repository import unarchived
from ruxue.cli.main import app
from ruxue.kit.db import Database
from ruxue.settings import get_settings
from tests.support.helpers import ServerThread
from tests.support.materials import _at_materials_step
from tests.support.personas import CHEN
from tests.support.session import logged_in
from tests.support.staff import make_staff, staff_client


def plain_pdf() -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer)
    canvas.drawString(72, 720, "birth certificate scan")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


async def rejected_with_a_plain_pdf(web: ServerThread, sandbox: ServerThread, db: Database) -> str:
    guardian = await logged_in(web, sandbox, CHEN)
    no = await _at_materials_step(guardian)
    upload = await guardian.post(
        f"/api/v1/cases/{no}/materials/upload",
        data={"kind": "BIRTH_CERTIFICATE"},
        files={"file": ("scan.pdf", plain_pdf(), "application/pdf")},
    )
    assert upload.status_code == 200, upload.text
    await guardian.post(f"/api/v1/cases/{no}/materials/done")
    assert (await guardian.post(f"/api/v1/cases/{no}/submit")).json()["outcome"] == "manual_review"
    reviewer = await staff_client(
        web, "bound-wz", await make_staff(db, "bound-wz", "reviewer", district="320506")
    )
    done = await reviewer.post(f"/api/v1/review/cases/{no}/reject", json={"reason": "材料不符"})
    assert done.status_code == 200, done.text
    for client in (guardian, reviewer):
        await client.aclose()
    return no


async def failure_of(db: Database) -> FilingFailure:
    async with db.read_session() as session:
        return (await session.scalars(select(FilingFailure))).one()


@pytest.mark.slow
async def test_a_failing_build_stops_at_the_bound_and_is_listed(
    web: ServerThread,
    sandbox: ServerThread,
    schools: None,
    db: Database,
    archive_env: None,
) -> None:
    no = await rejected_with_a_plain_pdf(web, sandbox, db)
    for attempt in range(1, MAX_ATTEMPTS):  # the job raises, so huey retries it
        with pytest.raises(FilingFailed):
            await tasks.build_case(db, no)
        assert (await failure_of(db)).attempts == attempt
    with capture_logs() as logs:
        assert await tasks.build_case(db, no) is None  # the last attempt: no raise, no retry
    alert = [e for e in logs if e["log_level"] == "error"]
    assert alert and alert[0]["event"] == "archive filing gave up" and alert[0]["case_no"] == no
    assert alert[0]["failing"] == ["GD-3-2"] and alert[0]["attempts"] == MAX_ATTEMPTS

    assert await tasks.build_case(db, no) is None  # a late huey retry does not build again
    async with db.read_session() as session:  # the sweep's query leaves the case out
        assert await unarchived(session, dt.datetime.now(dt.UTC), MAX_ATTEMPTS) == []
        assert await unarchived(session, dt.datetime.now(dt.UTC), MAX_ATTEMPTS + 1) == [no]
    assert await tasks.sweep_unarchived(db, grace=dt.timedelta(0)) == []
    failure = await failure_of(db)
    assert failure.attempts == MAX_ATTEMPTS and [i["code"] for i in failure.failing] == ["GD-3-2"]
    assert "不是 PDF/A-2" in failure.failing[0]["why"]
    async with db.read_session() as session:
        assert (await session.scalars(select(ArchivePackage))).all() == []
        runs = (await session.scalars(select(CheckRun.passed))).all()
    assert runs == [False] * MAX_ATTEMPTS  # every failed filing check is on record
    assert not any(get_settings().archive_dir.glob("DA*"))  # nothing half-filed in the library

    archivist = await staff_client(web, "bound-arc", await make_staff(db, "bound-arc", "archivist"))
    page = await archivist.get("/staff/archive")
    listed = re.search(r'<table id="filing-failures">(.*?)</table>', page.text, re.S)
    assert listed and no in listed.group(1) and "GD-3-2" in listed.group(1)
    assert "已停止重试" in listed.group(1) and f"已尝试 {MAX_ATTEMPTS} 次" in listed.group(1)
    assert "全部通过" not in page.text
    await archivist.aclose()

    # the archivist's own retry is not bound: it tries again and says why it failed
    forced = await asyncio.to_thread(CliRunner().invoke, app, ["archive", "build", no])
    assert forced.exit_code == 1 and "归档失败" in forced.output and "GD-3-2" in forced.output
    assert (await failure_of(db)).attempts == MAX_ATTEMPTS + 1


async def test_the_library_marks_each_package_by_its_newest_check(
    package: Path, web: ServerThread, db: Database
) -> None:
    archivist = await staff_client(web, "mark-arc", await make_staff(db, "mark-arc", "archivist"))
    row = re.compile(rf"{package.name}.*?check-status\">([^<]+)<", re.S)
    page = (await archivist.get("/staff/archive")).text
    assert row.search(page).group(1) == "最近检测通过"  # type: ignore[union-attr]
    failing = [{"code": "GD-1-1", "name": "x", "passed": False, "why": "data/x 校验和不符"}]
    async with db.write_session() as session:
        session.add(CheckRun(archive_no=package.name, stage="LTP", passed=False, results=failing))
    page = (await archivist.get("/staff/archive")).text
    assert row.search(page).group(1) == "最近检测未通过"  # type: ignore[union-attr]
    assert "全部通过" not in page and "data/x 校验和不符" in page
    async with db.write_session() as session:  # fixed and checked again: the alert clears
        session.add(CheckRun(archive_no=package.name, stage="LTP", passed=True, results=[]))
    page = (await archivist.get("/staff/archive")).text
    assert row.search(page).group(1) == "最近检测通过"  # type: ignore[union-attr]
    assert "全部通过" in page and "data/x 校验和不符" not in page
    await archivist.aclose()
