"""The check after a restore (``ruxue restore-check``): every log verified against its own chain
and against every signed head exported outside the database; every archive package re-checked
(四性检测 with its capture digest); and the restored counts set against the last exported heads —
a log shorter than a head signed before the disaster lost records."""

import asyncio
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.archive.models import ArchivePackage
from ruxue.archive.service import run_check
from ruxue.archive.storage import Library
from ruxue.audit.service import current_heads, read_exported, verify_all
from ruxue.cases.models import Case, CaseEvent
from ruxue.kit.db import Database
from ruxue.kit.sm2 import SealKey

CHECKERS = 4


@dataclass
class RestoreReport:
    problems: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    heads_files: int = 0
    last_heads: str = ""
    packages_checked: int = 0


def _sizes(heads: dict[str, Any]) -> dict[str, int]:
    """How long each log is by a heads document."""
    sizes = {f"call log chain {h['chain']}": h["seq"] for h in heads["call_log"]}
    sizes["audit log"] = heads["audit_log"]["seq"]
    sizes["archive log"] = heads["archive_log"]["size"]
    if "ledger" in heads:
        sizes["integrity ledger"] = heads["ledger"]["seq"]
    return sizes


def shorter_than(now: dict[str, Any], last: dict[str, Any]) -> list[str]:
    """The logs the restored database holds fewer records of than the last exported heads."""
    have = _sizes(now)
    return [
        f"{log}: {have.get(log, 0)} records restored, {size} in the last exported heads"
        for log, size in _sizes(last).items()
        if have.get(log, 0) < size
    ]


async def _counts(session: AsyncSession) -> dict[str, int]:
    async def count(query: Any) -> int:
        return int(await session.scalar(query) or 0)

    return {
        "cases": await count(select(func.count(Case.id))),
        "case_events": await count(select(func.count(CaseEvent.id))),
        "notices": await count(select(func.count(Case.id)).where(Case.notice_no.is_not(None))),
        "packages": await count(select(func.count(ArchivePackage.id))),
    }


def _package_problem(library: Library, stored: set[str], package: ArchivePackage) -> str | None:
    if package.archive_no not in stored:
        return f"archive package {package.archive_no}: recorded, not in the library"
    failed = [f"{i.code} {i.why or i.name}" for i in run_check(library, package) if not i.passed]
    return f"archive package {package.archive_no}: {'; '.join(failed)}" if failed else None


def _check_packages(library: Library, packages: list[ArchivePackage]) -> list[str]:
    """Each package read back and checked; a few at once (reading from S3 waits on the network,
    as the worker's two build threads already check packages side by side)."""
    stored = set(library.numbers())
    with ThreadPoolExecutor(max_workers=CHECKERS) as pool:
        found = pool.map(lambda p: _package_problem(library, stored, p), packages)
        return [problem for problem in found if problem]


async def restore_check(
    db: Database, library: Library, heads_dir: Path, seal: SealKey
) -> RestoreReport:
    exported = read_exported(heads_dir)
    report = RestoreReport(heads_files=len(exported))
    async with db.read_session() as session:
        report.problems += await verify_all(session, exported, seal)
        if exported:
            report.last_heads = exported[-1][0]
            now = await current_heads(session)
            report.problems += shorter_than(now, exported[-1][1]["heads"])
        report.counts = await _counts(session)
        packages = list((await session.scalars(select(ArchivePackage))).all())
    report.problems += await asyncio.to_thread(_check_packages, library, packages)
    report.packages_checked = len(packages)
    return report
