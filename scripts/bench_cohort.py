"""The cohort's run at city scale (NOT a timed test; figures go to docs/performance.md).

1. A synthetic city: FAMILIES primary-age children, one qualified case and cohort entry each,
   spread over ten districts, every one on ``allocation`` (about twenty schools each, popular
   schools oversubscribed, three 统筹 schools per school). The dry run (``cohort.publication.dry_run``:
   read the entries, decrypt the ID numbers, rank, allocate, report) of every district is timed.
2. The first district (≥15,000 cases at the default size) is published (``cohort.publication.publish``:
   the result stored, then one transaction per case: notice, SMS row, licence row, jobs queued).
3. With ``--drain``, the queue is then drained by ``ruxue worker`` processes (SMS sent to the
   sandbox's gateway, licences filed, archive packages built and checked) and the drain timed;
   ``--drain-timeout`` bounds it and the rate is reported for what was done.

    PYTHONPATH=src .venv/bin/python scripts/bench_cohort.py [--families 200000] [--drain]
    RUXUE_BENCH_DATABASE_URL=postgresql+asyncpg://… for PostgreSQL (a fresh database).
"""

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select

from ruxue.archive.models import ArchivePackage
from ruxue.cases.models import Case
from ruxue.cohort import publication as service
from ruxue.cohort.models import CohortEntry
from ruxue.cohort.publication import RunKey
from ruxue.cohort.records import Candidate
from ruxue.cohort.repository import candidate_json
from ruxue.dataset.service import load_dataset
from ruxue.elicence.models import PENDING, Licence
from ruxue.kit import migrate, process, queue
from ruxue.kit.db import Database
from ruxue.notify.models import Notification
from ruxue.person.rules import make_id_number
from ruxue.policy.facts import Facts, write_facts
from ruxue.reference.models import School
from ruxue.settings import Settings
from ruxue.wiring import wire

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "src" / "ruxue" / "sandbox" / "example-dataset.json"
DISTRICTS = ("320508", "320505", "320506", "320507", "320509", "320571", "320581", "320582",
             "320583", "320585")  # fmt: skip
YEAR, SCHOOLS_PER_DISTRICT, SEED = 2026, 20, "c0ffee2026"
NOW = dt.datetime(2026, 7, 1, 2, tzinfo=dt.UTC)


def city(families: int, rng: random.Random) -> tuple[list[dict[str, Any]], list[Candidate], dict[str, tuple[str, ...]]]:  # fmt: skip
    """Schools (seats ≈ 97 % of each district's children, popularity skewed) and candidates."""
    schools: list[dict[str, Any]] = []
    candidates: list[Candidate] = []
    overflow: dict[str, tuple[str, ...]] = {}
    per = families // len(DISTRICTS)
    for d in DISTRICTS:
        codes = [f"{d}{i:04d}" for i in range(1, SCHOOLS_PER_DISTRICT + 1)]
        weights = [1 / (i + 1) ** 0.6 for i in range(len(codes))]  # the first schools popular
        chosen = rng.choices(codes, weights, k=per)
        for i, code in enumerate(codes):
            overflow[code] = tuple(codes[(i + k) % len(codes)] for k in (5, 9, 13))
        seats = round(per * 0.97 / len(codes))
        schools += [{"code": c, "name": f"学校{c}", "district_code": d, "segment": "primary",
                     "capacity": seats, "compound_codes": [f"C{c}"]} for c in codes]  # fmt: skip
        base = len(candidates)
        candidates += [_candidate(base + i, d, school, rng) for i, school in enumerate(chosen)]
    return schools, candidates, overflow


def _candidate(n: int, district: str, school: str, rng: random.Random) -> Candidate:
    category = rng.choices("ABCD", (40, 15, 30, 15))[0]
    day = dt.date(2012, 1, 1) + dt.timedelta(days=rng.randrange(4000))
    born = dt.date(YEAR - 7, 1, 1) + dt.timedelta(days=rng.randrange(365))
    return Candidate(
        case_id=str(n + 1), id_number=make_id_number(district, born, n % 999 + 1),
        category=category, school_code=school,  # type: ignore[arg-type]
        registered_on=day if category in "AB" else None,
        moved_in_on=day - dt.timedelta(days=rng.randrange(900)) if category in "AC" else None,
        points=float(rng.randrange(60, 140)) if category == "D" else 0.0,
        permit_from=day if category == "D" else None,
    )  # fmt: skip


async def load(db: Database, schools: list[dict[str, Any]], candidates: list[Candidate]) -> None:
    """Every case qualified, with its entry: bulk inserted (no subscriber hears of them)."""
    data = load_dataset(EXAMPLE)
    template = Case()
    write_facts(template, Facts(year=YEAR, segment="primary", guardian=data.persons[0],
                                child=data.persons[2],
                                booklets={b.booklet_no: b for b in data.hukou_booklets[:1]}))  # fmt: skip
    async with db.write_session() as session:
        await session.execute(insert(School), schools)
    district_of = {s["code"]: s["district_code"] for s in schools}
    for start in range(0, len(candidates), 5000):
        chunk = candidates[start : start + 5000]
        async with db.write_session() as session:
            await session.execute(insert(Case), [_case(c, district_of, template) for c in chunk])
            await session.execute(insert(CohortEntry), [_entry(c, district_of) for c in chunk])


def _case(c: Candidate, district_of: dict[str, str], template: Case) -> dict[str, Any]:
    n = int(c.case_id)
    return {"id": n, "case_no": f"RX2026P{n:010X}", "year": YEAR, "segment": "primary", "step": 7,
            "status": "qualified", "outcome": "qualified", "district_code": district_of[c.school_code],
            "guardian_index": f"g{n}", "guardian_enc": "", "child_index": f"c{n}", "child_enc": "",
            "child_name_masked": "王*明", "phone_enc": "", "draft_enc": template.draft_enc,
            "school_code": c.school_code, "category": c.category, "reasons": [], "missing": [],
            "consent_ids": [], "submitted_at": NOW, "created_at": NOW, "updated_at": NOW,
            "version": 1, "events": 0, "notices": 0, "channel": "online", "explanation": ""}  # fmt: skip


def _entry(c: Candidate, district_of: dict[str, str]) -> dict[str, Any]:
    return {"case_id": int(c.case_id), "district_code": district_of[c.school_code], "segment": "primary",
            "year": YEAR, "category": c.category, "school_code": c.school_code,
            "candidate": candidate_json(c), "qualified_at": NOW}  # fmt: skip


async def dry_runs(db: Database) -> dict[str, Any]:
    started, cpu, per = time.perf_counter(), time.process_time(), {}
    for d in DISTRICTS:
        t = time.perf_counter()
        async with db.read_session() as session:
            found = await service.dry_run(session, RunKey(d, "primary", YEAR), SEED)
        unplaced = sum(1 for s in found.allocation.seats if s.school_code is None)
        overflow = sum(1 for s in found.allocation.overflow if s.school_code is not None)
        per[d] = {"cases": found.candidates, "s": round(time.perf_counter() - t, 2),
                  "overflow": overflow, "unplaced": unplaced}  # fmt: skip
    return {
        "dry_run_all_s": round(time.perf_counter() - started, 1),
        "dry_run_cpu_s": round(
            time.process_time() - cpu, 1
        ),  # this process's CPU (+ sqlite's thread)
        "load_average": os.getloadavg()[0],
        "districts": per,
    }


async def publish(db: Database, batch: int) -> dict[str, Any]:
    started = time.perf_counter()
    key = RunKey(DISTRICTS[0], "primary", YEAR)
    await service.publish(db, key, SEED, "bench", NOW, _quiet, batch)
    took = time.perf_counter() - started
    async with db.read_session() as session:
        placed = int(
            await session.scalar(select(func.count()).where(Case.placement.is_not(None))) or 0
        )
        cases = int(
            await session.scalar(select(func.count()).where(Case.district_code == DISTRICTS[0]))
            or 0
        )
    return {"publish_cases": cases, "publish_s": round(took, 1), "publish_per_s": round(cases / took, 1),
            "notices": placed, "batch": batch}  # fmt: skip


def _quiet(done: int, total: int) -> None:
    if done % 2000 == 0:
        print(f"  placed {done}/{total}", file=sys.stderr)


async def left(db: Database) -> dict[str, int]:
    async with db.read_session() as session:
        sms = await session.scalar(select(func.count()).where(Notification.status == "pending"))
        licences = await session.scalar(select(func.count()).where(Licence.status == PENDING))
        built = await session.scalar(select(func.count()).select_from(ArchivePackage))
        final = await session.scalar(select(func.count()).where(Case.status == "notice_issued"))
    return {"sms": int(sms or 0), "licences": int(licences or 0),
            "archive": int(final or 0) - int(built or 0)}  # fmt: skip


async def drain(db: Database, env: dict[str, str], workers: int, limit_s: float) -> dict[str, Any]:
    before, started = await left(db), time.perf_counter()
    procs = [await asyncio.to_thread(start_worker, env, workers)]
    try:
        while time.perf_counter() - started < limit_s:
            now = await left(db)
            if not any(now.values()):
                break
            await asyncio.sleep(2)
    finally:
        for p in procs:
            p.terminate()
            p.wait(30)
    took, after = time.perf_counter() - started, await left(db)
    done = {k: before[k] - after[k] for k in before}
    return {"drain_s": round(took, 1), "drained": done, "left": after,
            "drain_per_s": {k: round(v / took, 1) for k, v in done.items()}}  # fmt: skip


def start_worker(env: dict[str, str], workers: int) -> subprocess.Popen[bytes]:
    args = [sys.executable, "-m", "ruxue.cli.main", "worker", "--workers", str(workers)]
    return subprocess.Popen(args, env=env)


def start_sandbox(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    args = [sys.executable, "-m", "ruxue.cli.main", "sandbox", "--port", str(port)]
    return subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


async def main(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        url = os.environ.get("RUXUE_BENCH_DATABASE_URL") or f"sqlite+aiosqlite:///{tmp}/bench.db"
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "RUXUE_DATABASE_URL": url,
               "RUXUE_QUEUE_URL": f"sqlite:///{tmp}/queue.db", "RUXUE_VAR_DIR": f"{tmp}/var",
               "RUXUE_SMS_URL": f"http://127.0.0.1:{args.sms_port}/_sandbox/sms", "RUXUE_MODE": "demo",
               "RUXUE_EXCHANGE_URL": f"http://127.0.0.1:{args.sms_port}/exchange"}  # fmt: skip
        settings = Settings(database_url=url, queue_url=env["RUXUE_QUEUE_URL"], var_dir=Path(f"{tmp}/var"),
                            sms_url=env["RUXUE_SMS_URL"], mode="demo")  # fmt: skip
        process.configure(settings)
        queue.use(queue.make_huey(settings.resolved_queue_url()))
        wire(settings)
        await asyncio.to_thread(migrate.upgrade, url)
        rng = random.Random(7)
        schools, candidates, overflow = city(args.families, rng)

        async def overflow_of(session: object, key: object) -> dict[str, tuple[str, ...]]:
            return overflow

        service.overflow_of = overflow_of  # the bench's own 统筹 lists, not the table's
        db = Database(url)
        t = time.perf_counter()
        await load(db, schools, candidates)
        figures: dict[str, Any] = {"bench": "cohort", "at": dt.datetime.now().isoformat(timespec="seconds"),
                                   "database": url.split(":")[0], "families": args.families,
                                   "schools": len(schools), "load_s": round(time.perf_counter() - t, 1)}  # fmt: skip
        figures |= await dry_runs(db)
        if args.publish:
            figures |= await publish(db, args.batch)
        if args.drain:
            sandbox = start_sandbox(env, args.sms_port)
            try:
                figures |= await drain(db, env, args.workers, args.drain_timeout)
            finally:
                sandbox.terminate()
                sandbox.wait(30)
        await db.dispose()
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--families", type=int, default=200_000)
    parser.add_argument("--no-publish", dest="publish", action="store_false")
    parser.add_argument("--drain", action="store_true")
    parser.add_argument("--batch", type=int, default=1, help="cases per transaction")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--drain-timeout", type=float, default=600)
    parser.add_argument("--sms-port", type=int, default=8731)
    parser.add_argument("--out", type=Path)
    figures = asyncio.run(main(parser.parse_args()))
    if figures.get("districts"):
        print(json.dumps(figures["districts"], ensure_ascii=False), file=sys.stderr)
    if parser.parse_args().out:
        parser.parse_args().out.write_text(json.dumps(figures, ensure_ascii=False, indent=1))
    print(json.dumps({k: v for k, v in figures.items() if k != "districts"}, ensure_ascii=False))
