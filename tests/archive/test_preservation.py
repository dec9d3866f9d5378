"""Stored packages are re-checked (every run recorded) and transferred in checked batches."""

import asyncio
import json
import shutil
import subprocess
from pathlib import Path

import bagit
import pytest
from lxml import etree
from sqlalchemy import select
from typer.testing import CliRunner

from ruxue.archive.models import CheckRun
from ruxue.archive.service import export_batch, recheck_all
from ruxue.archive.storage import LocalLibrary
from ruxue.cli.main import app
from ruxue.kit.db import Database
from ruxue.kit.errors import RuxueError


def library_of(package: Path) -> LocalLibrary:
    return LocalLibrary(package.parent)


async def test_recheck_records_every_run_and_catches_later_damage(
    package: Path, db: Database
) -> None:
    assert await recheck_all(db, library_of(package)) == {"checked": 1, "failed": 0}
    (package / "data" / "trace" / "events.jsonl").write_bytes(b"")  # damage in storage
    bagit.Bag(str(package)).save(manifests=True)  # even with the manifests made to match
    assert await recheck_all(db, library_of(package)) == {"checked": 1, "failed": 1}
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
    assert listed["receiver"] == "苏州市姑苏区档案馆" and listed["packages"][0]["bytes"] > 40_000
    bagit.Bag(str(out / package.name)).validate()
    for xml in ("移交登记表.xml", "目录文件.xml"):  # well-formed for an outside parser
        run = await asyncio.to_thread(
            subprocess.run, ["xmllint", "--noout", str(out / xml)], capture_output=True, text=True
        )
        assert run.returncode == 0, run.stderr
    register = etree.parse(str(out / "移交登记表.xml")).getroot()
    assert (
        register.findtext("移交电子档案数量") == "1"
        and register.findtext("移交单位") == "苏州市姑苏区教育局"
    )
    assert [e.get("通过包数") for e in register.iter("检验项目")] == ["1", "1", "1", "1"]
    assert [e.get("档号") for e in etree.parse(str(out / "目录文件.xml")).getroot()] == [
        package.name
    ]
    received = CliRunner().invoke(
        app, ["archive", "check", "--all", str(out)]
    )  # what the receiver runs
    assert received.exit_code == 0, received.output
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


async def test_a_bad_copy_stops_the_transfer(
    package: Path, db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The copy in the batch is validated again; a byte changed on the way leaves no batch."""

    copytree = shutil.copytree

    def flaky_copy(src: Path, dst: Path, *args: object, **kwargs: object) -> object:
        done = copytree(src, dst, *args, **kwargs)  # type: ignore[arg-type]
        if not Path(dst).parent.name.endswith(".part"):
            return done  # a subdirectory, copied by copytree itself
        pdf = next((Path(dst) / "data" / "content").iterdir())
        raw = bytearray(pdf.read_bytes())
        raw[100] ^= 0x01
        pdf.write_bytes(bytes(raw))
        return done

    monkeypatch.setattr("ruxue.archive.service.shutil.copytree", flaky_copy)
    out = tmp_path / "batch"
    with pytest.raises(RuxueError, match="复制后校验失败"):
        await export_batch(db, library_of(package), "320508", 2026, out)
    assert not out.exists() and not (tmp_path / "batch.part").exists()
