"""Re-checking stored packages (long-term preservation), transfer batches (移交, DA/T 93) and
consulting the library (scoped by role, every look logged)."""

import asyncio
import hashlib
import json
import mimetypes
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import bagit
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.archive import package as pkg
from ruxue.archive import repository
from ruxue.archive.check import Item, as_json, check_package
from ruxue.archive.models import ArchivePackage, CheckRun
from ruxue.archive.scanner import Scanner
from ruxue.archive.storage import Library
from ruxue.cases.models import Case
from ruxue.kit.clock import now_of, utcnow
from ruxue.kit.db import Database
from ruxue.kit.errors import NotFound, RuxueError
from ruxue.policy.explain import actor_label
from ruxue.policy.loader import CHINA
from ruxue.reference.districts import issuer_of
from ruxue.staff.auth import Staff
from ruxue.staff.service import audit, names_of


def run_check(
    library: Library, package: ArchivePackage, scanner: Scanner | None = None
) -> list[Item]:
    """The checker plus the capture digest: a package whose tag manifest changed since filing fails."""
    with library.open(package.archive_no) as path:
        items = check_package(path, scanner=scanner)
        tags = path / "tagmanifest-sha256.txt"
        digest = hashlib.sha256(tags.read_bytes()).hexdigest() if tags.is_file() else ""
    if digest != package.digest:
        items.append(
            Item("GD-1-9", "真实性：包摘要与归档时一致", False, "标签清单摘要与归档时记录的不同")
        )
    return items


async def recheck_all(
    db: Database, library: Library, stage: str = "LTP", scanner: Scanner | None = None
) -> dict[str, int]:
    """Check every stored package (outside any transaction: XSD, ClamAV and storage take their
    time), then record every run in one short write."""
    async with db.read_session() as session:
        packages = (await session.scalars(select(ArchivePackage).order_by(ArchivePackage.id))).all()
    runs = []
    for package in packages:
        items = await asyncio.to_thread(run_check, library, package, scanner)
        passed = all(i.passed for i in items)
        run = CheckRun(
            archive_no=package.archive_no, stage=stage, passed=passed, results=as_json(items)
        )
        runs.append(run)
    async with db.write_session() as session:
        for run in runs:
            run.at = now_of(session)  # the app's clock, as the package's other times
        session.add_all(runs)
    return {"checked": len(runs), "failed": sum(not r.passed for r in runs)}


async def export_batch(
    db: Database, library: Library, district: str, year: int, out: Path, receiver: str = ""
) -> dict[str, object]:
    """A transfer batch (DA/T 93 style): every package of the district and year, checked first
    (each run recorded, pass or fail) and refused whole if any fails; then copied, each copy
    validated again as a bag against its capture digest, and the batch given its register
    (移交登记表.xml), catalogue (目录文件.xml), description and JSON manifest. It appears under
    OUT in one rename, so nothing half-written or half-checked leaves the library."""
    async with db.read_session() as session:
        query = select(ArchivePackage).where(ArchivePackage.district_code == district,
                                             ArchivePackage.archive_no.like(f"DA{year}%"))  # fmt: skip
        packages = (await session.scalars(query.order_by(ArchivePackage.archive_no))).all()
    failed, groups, runs = [], {g: 0 for g in ("GD-1", "GD-2", "GD-3", "GD-4")}, []
    for package in packages:  # checked outside any transaction, then recorded in one write
        items = await asyncio.to_thread(run_check, library, package)
        passed = all(i.passed for i in items)
        runs.append(
            CheckRun(
                archive_no=package.archive_no, stage="TR", passed=passed, results=as_json(items)
            )
        )
        for group in groups:
            groups[group] += all(i.passed for i in items if i.code.startswith(group))
        if not passed:
            failed.append(package.archive_no)
    async with db.write_session() as session:
        session.add_all(runs)
    if not packages:
        raise RuxueError("没有可移交的档案")
    if failed:
        raise RuxueError(f"移交前检测未通过：{', '.join(failed[:10])}")
    tmp = out.with_name(out.name + ".part")
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    try:
        sizes = await asyncio.to_thread(_copy_and_verify, library, packages, tmp)
    except RuxueError:
        shutil.rmtree(tmp)
        raise
    sender = issuer_of(district)
    transfer = pkg.Transfer(batch=f"{district}-{year}", sender=sender, receiver=receiver or sender.replace("教育局", "档案馆"),
                            created=utcnow().astimezone(CHINA).isoformat(timespec="seconds"),
                            packages=[(p.archive_no, p.digest, sizes[p.archive_no]) for p in packages], checks=groups)  # fmt: skip
    (tmp / "移交登记表.xml").write_bytes(pkg.transfer_register(transfer))
    (tmp / "目录文件.xml").write_bytes(pkg.transfer_catalogue(transfer))
    (tmp / "说明文件.txt").write_text(f"批次：{transfer.batch}\n移交单位：{transfer.sender}\n接收单位：{transfer.receiver}\n"
                                  f"档案包：{len(packages)} 个（每个为一个 BagIt 包，可用任何 BagIt 工具校验）\n"
                                  "清单：移交登记表.xml、目录文件.xml、移交清单.json\n")  # fmt: skip
    manifest: dict[str, object] = {"batch": transfer.batch, "created": transfer.created, "sender": transfer.sender,
                                   "receiver": transfer.receiver, "count": len(packages),
                                   "packages": [{"archive_no": n, "digest": d, "bytes": b} for n, d, b in transfer.packages]}  # fmt: skip
    (tmp / "移交清单.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1))
    tmp.rename(out)  # the batch appears whole or not at all
    return manifest


def _copy_and_verify(
    library: Library, packages: Sequence[ArchivePackage], tmp: Path
) -> dict[str, int]:
    """Copy each package into the batch and prove the copy: a valid bag whose tag manifest is the
    one recorded at filing. Returns the bytes of each copy."""
    sizes = {}
    for package in packages:
        copy = tmp / package.archive_no
        with library.open(package.archive_no) as path:
            shutil.copytree(path, copy)
        try:
            bagit.Bag(str(copy)).validate(processes=1)
        except bagit.BagError as exc:
            raise RuxueError(f"{package.archive_no} 复制后校验失败：{exc}") from exc
        if (
            hashlib.sha256((copy / "tagmanifest-sha256.txt").read_bytes()).hexdigest()
            != package.digest
        ):
            raise RuxueError(f"{package.archive_no} 复制后与归档时的包摘要不符")
        sizes[package.archive_no] = sum(f.stat().st_size for f in copy.rglob("*") if f.is_file())
    return sizes


@dataclass
class PackageView:
    """What a consultation shows: the package's metadata, its documents, its trace and its checks."""

    package: ArchivePackage
    description: str
    documents: list[tuple[str, int]]  # file name under content/, size in bytes
    trace: list[dict[str, Any]]
    checks: Sequence[CheckRun]


async def _consulted(
    session: AsyncSession, staff: Staff, number: str, why: str, **detail: object
) -> ArchivePackage:
    """Scope first, then log (who, when, which package, why): a refused look is not a consultation."""
    if len(why.strip()) < 2:
        raise RuxueError("请填写调阅事由")
    package = await repository.visible_package(session, staff, number)
    if package is None:
        raise NotFound("档案不存在或无权调阅")
    await audit(session, staff, repository.CONSULT, target=number, why=why.strip(), **detail)
    return package


def _read_view(
    library: Library, number: str
) -> tuple[str, list[tuple[str, int]], list[dict[str, Any]]]:
    with library.open(number) as path:
        data = path / "data"
        description = (data / "说明文件.txt").read_text(encoding="utf-8")
        content = data / "content"  # a damaged package still opens; its checks say what is wrong
        files = content.iterdir() if content.is_dir() else ()
        documents = sorted((f.name, f.stat().st_size) for f in files)
        lines = (data / "trace" / "events.jsonl").read_text(encoding="utf-8").splitlines()
    return description, documents, [json.loads(line) for line in lines]


async def consult(
    db: Database, library: Library, staff: Staff, number: str, why: str
) -> PackageView:
    async with db.write_session() as session:
        package = await _consulted(session, staff, number, why)
        checks = await repository.check_runs(session, number)
        case = await session.get(Case, package.case_id)
        channel = case.channel if case else ""
    description, documents, trace = await asyncio.to_thread(_read_view, library, number)
    async with db.read_session() as session:
        staff_names = await names_of(session, (str(e.get("actor", "")) for e in trace))
    for event in trace:  # who, in words: never a guardian's code
        event["who"] = actor_label(str(event.get("actor", "")), channel, staff_names)
    return PackageView(package, description, documents, trace, checks)


def _read_document(library: Library, number: str, name: str) -> bytes | None:
    with library.open(number) as path:
        target = path / "data" / "content" / Path(name).name  # a bare name: no way out of content/
        return target.read_bytes() if target.is_file() else None


async def document(
    db: Database, library: Library, staff: Staff, number: str, name: str, why: str
) -> tuple[bytes, str]:
    """One document of the package for download, logged with the file's name."""
    async with db.write_session() as session:
        await _consulted(session, staff, number, why, file=Path(name).name)
    content = await asyncio.to_thread(_read_document, library, number, name)
    if content is None:
        raise NotFound("文件不存在")
    return content, mimetypes.guess_type(name)[0] or "application/octet-stream"
