"""Archive throughput: packages built and checked per second over N decided cases (one process)."""

import asyncio
import datetime as dt
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from ruxue.archive.build import build_package
from ruxue.archive.check import check_package
from ruxue.archive.storage import LocalLibrary
from ruxue.cases.models import Case
from ruxue.cases.repository import add_event
from ruxue.dataset.service import load_dataset
from ruxue.kit import migrate, pii
from ruxue.kit.clock import utcnow
from ruxue.kit.db import Database
from ruxue.kit.sm2 import SealKey
from ruxue.policy.facts import Facts, write_facts
from ruxue.schools.service import import_schools
from ruxue.settings import Settings

EXAMPLE = (
    Path(__file__).resolve().parent.parent / "src" / "ruxue" / "sandbox" / "example-dataset.json"
)


async def seed(db: Database, n: int) -> list[int]:
    data = load_dataset(EXAMPLE)
    guardian, child = data.persons[0], data.persons[2]
    facts = Facts(year=2026, segment="primary", guardian=guardian, child=child,
                  booklets={b.booklet_no: b for b in data.hukou_booklets[:1]})  # fmt: skip
    async with db.write_session() as session:
        await import_schools(session, data)
        cases = []
        for i in range(n):
            case = Case(case_no=f"RX2026P{i:010X}", year=2026, segment="primary", status="notice_issued",
                        outcome="notice_issued", district_code="320508", guardian_index=f"g{i}",
                        guardian_enc=pii.encrypt(guardian.id_number), child_index=f"c{i}",
                        child_enc=pii.encrypt(child.id_number), child_name_masked="王*明", school_code="3205080101",
                        category="A", notice_no=f"320508-2026-B{i:09d}", verify_code=f"v{i}",
                        notice_issued_at=utcnow(), submitted_at=utcnow())  # fmt: skip
            write_facts(case, facts)
            session.add(case)
            cases.append(case)
        await session.flush()
        for case in cases:
            for action in ("consent", "fetch", "submit", "decide", "notice_issued"):
                await add_event(session, case, "bench", action)
        return [c.id for c in cases]


PROCESS = "one process" + (", pinned to one CPU" if len(os.sched_getaffinity(0)) == 1 else "")


async def main(n: int) -> dict[str, object]:
    pii.configure(Settings())  # the development keys, as a composition root would hand them
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/bench.db"
        await asyncio.to_thread(migrate.upgrade, url)
        db = Database(url)
        ids = await seed(db, n)
        library, seal = LocalLibrary(Path(tmp) / "library"), SealKey.generate()
        scratch = Path(tmp) / "scratch"
        scratch.mkdir()
        started = time.perf_counter()
        for case_id in ids:
            await build_package(db, library, scratch, seal, case_id, "http://127.0.0.1:8000")
        built = time.perf_counter() - started
        packages = [library.root / number for number in library.numbers()]
        started = time.perf_counter()
        failures = sum(1 for p in packages for item in check_package(p) if not item.passed)
        checked = time.perf_counter() - started
        await db.dispose()
    return {"bench": "archive", "at": dt.datetime.now().isoformat(timespec="seconds"), "cases": n,
            "built_per_s": round(n / built, 1), "checked_per_s": round(len(packages) / checked, 1),
            "check_failures": failures, "process": PROCESS}  # fmt: skip


if __name__ == "__main__":
    # bench_archive.py [CASES [OUT.json]]: the figures go to OUT only when asked (make bench asks),
    # so the smoke test's three cases never overwrite a real run's figures.
    figures = asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000))
    if len(sys.argv) > 2:
        Path(sys.argv[2]).write_text(json.dumps(figures, ensure_ascii=False, indent=1))
    print(json.dumps(figures, ensure_ascii=False))
