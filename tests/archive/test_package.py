"""Real packages through independent tools (bagit, xmllint, qpdf, pdftotext), and tamper tests: each
change makes the checker fail and name the item."""

import asyncio
import os
import shutil
import subprocess
import sys
from pathlib import Path

import bagit
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from ruxue.archive.build import build_package
from ruxue.archive.check import SCHEMAS, check_package
from ruxue.archive.models import ArchivePackage, CheckRun
from ruxue.archive.storage import LocalLibrary
from ruxue.cli.main import app
from ruxue.elicence.models import Licence
from ruxue.kit.crypto import sm3_hex
from ruxue.kit.db import Database
from ruxue.kit.sm2 import SealKey
from tests.support.tools import checked_pdf_text


def failed(path: Path) -> set[str]:
    return {i.code for i in check_package(path) if not i.passed}


async def test_package_passes_independent_tools_and_every_item(package: Path, db: Database) -> None:
    bagit.Bag(str(package)).validate()
    cli = await asyncio.to_thread(subprocess.run, [sys.executable, "-m", "bagit", "--validate", str(package)],
                                  capture_output=True, text=True)  # fmt: skip
    assert cli.returncode == 0, cli.stderr
    notice = package / "data" / "content" / "001-公办地段学位告知书.pdf"
    text = await asyncio.to_thread(checked_pdf_text, notice.read_bytes())
    assert "王小明" in text and "苏州市平江实验学校" in text
    assert failed(package) == set()
    assert (package / "data" / "metadata" / "four-property-check.json").exists()
    async with db.read_session() as session:
        assert (await session.scalars(select(ArchivePackage.archive_no))).all() == [package.name]
        assert (await session.scalars(select(CheckRun.passed))).all() == [True]


async def test_the_notice_filed_is_the_sealed_one(package: Path, db: Database) -> None:
    """Issue 22: the package held a re-rendered notice, whose signature never verified. It holds
    the bytes the seal signed, as the guardian's notice.pdf and the e-licence do."""
    filed = (package / "data" / "content" / "001-公办地段学位告知书.pdf").read_bytes()
    async with db.read_session() as session:
        (licence,) = (await session.scalars(select(Licence))).all()
    assert licence.pdf and filed == licence.pdf and sm3_hex(filed) == licence.pdf_sm3


def test_mets_and_premis_validate_with_xmllint(package: Path) -> None:
    """libxml2's own command line against the vendored XSDs, no network (--nonet)."""
    data = package / "data"
    for rel, schema in (("METS.xml", "mets.xsd"), ("metadata/premis.xml", "premis.xsd")):
        run = subprocess.run(["xmllint", "--nonet", "--noout", "--schema", str(SCHEMAS / schema),
                              str(data / rel)], capture_output=True, text=True)  # fmt: skip
        assert run.returncode == 0 and "validates" in run.stderr, run.stderr


def test_an_invalid_mets_is_caught_even_after_rebagging(package: Path, tmp_path: Path) -> None:
    copy = _tampered(package, tmp_path)
    mets = copy / "data" / "METS.xml"
    mets.write_text(mets.read_text().replace("<mets:fileSec", "<mets:fileSection", 1).replace(
        "</mets:fileSec>", "</mets:fileSection>", 1))  # fmt: skip
    _rebag(copy)
    run = subprocess.run(["xmllint", "--nonet", "--noout", "--schema", str(SCHEMAS / "mets.xsd"),
                          str(mets)], capture_output=True, text=True)  # fmt: skip
    assert run.returncode != 0  # the independent tool agrees it is invalid
    items = {i.code: i for i in check_package(copy)}
    assert not items["GD-3-1"].passed and "METS.xml" in items["GD-3-1"].why


def _tampered(package: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "copies" / package.name
    shutil.copytree(package, copy)
    return copy


def _rebag(path: Path) -> None:
    bagit.Bag(str(path)).save(manifests=True)  # what a careful forger would do


def test_one_changed_byte_is_caught(package: Path, tmp_path: Path) -> None:
    copy = _tampered(package, tmp_path)
    pdf = copy / "data" / "content" / "001-公办地段学位告知书.pdf"
    raw = bytearray(pdf.read_bytes())
    raw[len(raw) // 2] ^= 0x01
    pdf.write_bytes(bytes(raw))
    assert {"GD-1-1", "GD-1-2", "GD-1-4", "GD-1-5"} <= failed(copy)


def test_a_removed_trace_line_is_caught_even_after_rebagging(package: Path, tmp_path: Path) -> None:
    copy = _tampered(package, tmp_path)
    trace = copy / "data" / "trace" / "events.jsonl"
    lines = trace.read_bytes().splitlines(keepends=True)
    trace.write_bytes(b"".join(lines[:2] + lines[3:]))
    _rebag(copy)
    assert {"GD-1-6", "GD-2-3"} <= failed(copy)


def test_a_replaced_notice_is_caught_even_after_rebagging(package: Path, tmp_path: Path) -> None:
    copy = _tampered(package, tmp_path)
    pdf = copy / "data" / "content" / "001-公办地段学位告知书.pdf"
    pdf.write_bytes(pdf.read_bytes() + b"\n%forged: another notice under the same name\n")
    _rebag(copy)
    assert "GD-1-2" in failed(copy)


def test_an_extra_file_is_caught(package: Path, tmp_path: Path) -> None:
    copy = _tampered(package, tmp_path)
    (copy / "notes.txt").write_text("附加说明")
    assert "GD-4-1" in failed(copy)


def test_a_broken_signature_is_caught(package: Path, tmp_path: Path) -> None:
    copy = _tampered(package, tmp_path)
    eep = copy / "data" / "metadata" / "eep.xml"
    eep.write_text(
        eep.read_text().replace("签名值>M", "签名值>N", 1)
        if "签名值>M" in eep.read_text()
        else eep.read_text().replace("签名值>", "签名值>AAAA", 1)
    )
    _rebag(copy)
    assert "GD-1-2" in failed(copy)


def test_check_command_prints_every_item_and_fails_on_a_bad_package(
    package: Path, tmp_path: Path
) -> None:
    ok = CliRunner().invoke(app, ["archive", "check", str(package)])
    assert ok.exit_code == 0 and ok.output.count("通过") >= 13
    copy = _tampered(package, tmp_path)
    (copy / "notes.txt").write_text("x")
    bad = CliRunner().invoke(app, ["archive", "check", "--all", "--json", str(copy.parent)])
    assert bad.exit_code == 1 and '"GD-4-1"' in bad.output


async def test_building_never_changes_the_working_directory(
    package: Path, db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Builds run in worker threads: a chdir (as bagit-python's make_bag does) would move another
    thread's relative paths — it once bagged a worker's working directory under load."""

    def forbidden(path: object) -> None:
        raise AssertionError(f"chdir({path}) during a build")

    async with db.read_session() as session:
        record = (await session.scalars(select(ArchivePackage))).one()
    monkeypatch.setattr(os, "chdir", forbidden)
    rebuilt = await build_package(db, LocalLibrary(package.parent), tmp_path, SealKey.generate(),
                                  record.case_id, "http://127.0.0.1:8000")  # fmt: skip
    bagit.Bag(rebuilt.location).validate()
    assert failed(Path(rebuilt.location)) == set()


def test_a_garbled_trace_line_is_named_in_chinese(package: Path, tmp_path: Path) -> None:
    copy = _tampered(package, tmp_path)
    trace = copy / "data" / "trace" / "events.jsonl"
    lines = trace.read_bytes().count(b"\n")
    trace.write_bytes(trace.read_bytes() + b"{not json\n")
    items = {i.code: i for i in check_package(copy)}
    assert items["GD-2-3"].why == f"办理痕迹第 {lines + 1} 行无法解析"
    assert items["GD-1-1"].why.startswith("BagIt 校验未通过：")
