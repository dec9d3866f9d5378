"""Stored packages are re-checked (every run recorded) and transferred in checked batches."""

import json
import shutil
from pathlib import Path

import bagit
import pytest
from sqlalchemy import select

from ruxue.archive.models import CheckRun
from ruxue.archive.service import export_batch, recheck_all
from ruxue.archive.storage import LocalLibrary
from ruxue.kit.db import Database
from ruxue.kit.errors import RuxueError


def library_of(package: Path) -> LocalLibrary:
    return LocalLibrary(package.parent)


async def test_recheck_records_every_run_and_catches_later_damage(
    package: Path, db: Database
) -> None:
    async with db.write_session() as session:
        assert await recheck_all(session, library_of(package)) == {"checked": 1, "failed": 0}
    (package / "data" / "trace" / "events.jsonl").write_bytes(b"")  # damage in storage
    bagit.Bag(str(package)).save(manifests=True)  # even with the manifests made to match
    async with db.write_session() as session:
        assert await recheck_all(session, library_of(package)) == {"checked": 1, "failed": 1}
    async with db.read_session() as session:
        runs = (await session.scalars(select(CheckRun).order_by(CheckRun.id))).all()
    assert [(r.stage, r.passed) for r in runs] == [("GD", True), ("LTP", True), ("LTP", False)]
    failed = {i["code"] for i in runs[-1].results if not i["passed"]}
    assert {"GD-1-9", "GD-1-6"} <= failed


async def test_transfer_batch_is_checked_and_written_whole(
    package: Path, db: Database, tmp_path: Path
) -> None:
    out = tmp_path / "batch"
    manifest = await export_batch(db, library_of(package), "320508", 2026, out)
    assert manifest["count"] == 1 and (out / package.name / "bagit.txt").exists()
    listed = json.loads((out / "移交清单.json").read_text())
    assert listed["packages"][0]["archive_no"] == package.name
    bagit.Bag(str(out / package.name)).validate()
    with pytest.raises(RuxueError, match="没有可移交"):
        await export_batch(db, library_of(package), "320583", 2026, tmp_path / "empty")
    shutil.rmtree(out)
    (package / "extra.txt").write_text("x")
    with pytest.raises(RuxueError, match="检测未通过"):
        await export_batch(db, library_of(package), "320508", 2026, out)
    assert not out.exists() and not (tmp_path / "batch.part").exists()
    async with db.read_session() as session:
        stages = [
            (r.stage, r.passed)
            for r in (await session.scalars(select(CheckRun).order_by(CheckRun.id))).all()
        ]
    assert stages == [("GD", True), ("TR", True), ("TR", False)]
