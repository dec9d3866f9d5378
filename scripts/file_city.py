"""Every decided case is filed: a generated city through the whole flow (every child of a known
parent applies: grade 1, grade 7, and the children of other ages for grade 1, who are rejected),
district reviewers decide the cases waiting for review (rejecting every other one), the worker
files the packages, and then every package is checked by ``ruxue archive check``, bagit-python's
command line and xmllint against the vendored METS and PREMIS schemas. Not a timed benchmark.

    file_city.py [--families N] [--concurrency C] [--database-url URL] [--out F]
"""

import argparse
import asyncio
import datetime as dt
import json
import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import msgspec
import pyotp

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_flow import City, Timer, one, running_city

from ruxue.archive.check import SCHEMAS
from ruxue.dataset.schemas import Dataset
from ruxue.kit import process
from ruxue.settings import Settings

PRIMARY = (dt.date(2019, 9, 1), dt.date(2020, 8, 31))
JUNIOR = (dt.date(2013, 9, 1), dt.date(2014, 8, 31))
FINAL = ("notice_issued", "rejected")
PASSWORD = "city-reviewer-42"
Applicant = tuple[tuple[str, str, str | None], str]


def applicants(dataset: Path) -> list[Applicant]:
    """((guardian, child, spouse), segment) for every child with a parent on record."""
    data = msgspec.json.decode(dataset.read_bytes(), type=Dataset)
    married = {frozenset((m.party_a, m.party_b)) for m in data.marriages if m.status == "married"}
    known = {p.id_number for p in data.persons}
    out: list[Applicant] = []
    for p in data.persons:
        guardian = p.father_id_number if p.father_id_number in known else p.mother_id_number
        if guardian not in known:
            continue
        other = p.mother_id_number if guardian == p.father_id_number else p.father_id_number
        spouse = other if other and frozenset((guardian, other)) in married else None
        segment = "junior" if JUNIOR[0] <= p.birth_date <= JUNIOR[1] else "primary"
        out.append(((str(guardian), p.id_number, spouse), segment))
    return out


async def apply_all(city: City, people: list[Applicant], concurrency: int) -> dict[str, Any]:
    t, outcomes, errors = Timer(), Counter[str](), []
    queue: asyncio.Queue[Applicant] = asyncio.Queue()
    for who in people:
        queue.put_nowait(who)
    async with httpx.AsyncClient(base_url=city.sandbox_url, timeout=30) as sandbox:

        async def worker() -> None:
            while not queue.empty():
                who, segment = queue.get_nowait()
                try:
                    outcomes[await one(city.app_url, sandbox, t, who, segment)] += 1
                except Exception as exc:  # counted and reported, the run goes on
                    errors.append(f"{type(exc).__name__}: {exc}"[:200])

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return {"outcomes": dict(outcomes), "errors": len(errors), "first_errors": errors[:3]}


async def review_all(city: City) -> Counter[str]:
    """One reviewer per district decides its queue: every other case rejected, the rest placed
    in a school of the district (统筹)."""
    from ruxue.kit.db import Database
    from ruxue.staff.service import create_staff

    data = msgspec.json.decode(city.dataset.read_bytes(), type=Dataset)
    done: Counter[str] = Counter()
    db = Database(city.env["RUXUE_DATABASE_URL"])
    try:
        for district in sorted({s.district_code for s in data.schools}):
            async with db.write_session() as session:
                _, secret = await create_staff(
                    session,
                    username=f"rev-{district}",
                    name="审核员",
                    role="reviewer",
                    password=PASSWORD,
                    district_code=district,
                )
            async with httpx.AsyncClient(base_url=city.app_url, timeout=60) as http:
                login = {
                    "username": f"rev-{district}",
                    "password": PASSWORD,
                    "code": pyotp.TOTP(secret).now(),
                }
                assert (await http.post("/api/v1/staff/login", json=login)).status_code == 200
                for n, case in enumerate((await http.get("/api/v1/review/queue")).json()):
                    if case["status"] != "manual_review":
                        continue  # materials are the guardian's to bring; not final
                    done[await _decide(http, data, district, case, n)] += 1
    finally:
        await db.dispose()
    return done


async def _decide(
    http: httpx.AsyncClient, data: Dataset, district: str, case: dict[str, Any], n: int
) -> str:
    segment = case["segment"]  # the code: primary | junior
    schools = [s.code for s in data.schools if s.district_code == district and s.segment == segment]
    no = case["case_no"]
    if n % 2 == 0 or not schools:
        reason = "经核实，申请人提交的信息与部门记录不一致，不符合本区入学条件"
        answer = await http.post(f"/api/v1/review/cases/{no}/reject", json={"reason": reason})
    else:
        body = {"school_code": schools[0], "note": "区教育局统筹安排"}
        answer = await http.post(f"/api/v1/review/cases/{no}/approve", json=body)
    if answer.status_code != 200:  # counted and reported, the run goes on
        return f"review_error: {answer.text[:120]}"
    return "review_" + str(answer.json()["status"])


async def wait_filed(city: City, within_s: float) -> dict[str, int]:
    """Until every final case has a package or a filing failure at the bound (the worker's jobs)."""
    from sqlalchemy import func, select

    from ruxue.archive.failures import MAX_ATTEMPTS
    from ruxue.archive.models import ArchivePackage, FilingFailure
    from ruxue.cases.models import Case
    from ruxue.kit.db import Database

    db = Database(city.env["RUXUE_DATABASE_URL"])
    deadline = time.monotonic() + within_s
    try:
        while True:
            async with db.read_session() as session:
                statuses = dict(
                    (
                        await session.execute(
                            select(Case.status, func.count()).group_by(Case.status)
                        )
                    ).all()
                )  # type: ignore[arg-type]
                packages = await session.scalar(select(func.count()).select_from(ArchivePackage))
                stuck = await session.scalar(
                    select(func.count())
                    .select_from(FilingFailure)
                    .where(FilingFailure.attempts >= MAX_ATTEMPTS)
                )
            final = sum(statuses.get(s, 0) for s in FINAL)
            if (packages or 0) + (stuck or 0) >= final or time.monotonic() > deadline:
                return {
                    "final": final,
                    "packages": packages or 0,
                    "gave_up": stuck or 0,
                    **statuses,
                }
            await asyncio.sleep(2)  # the worker files in its own process: poll, bounded
    finally:
        await db.dispose()


def check_all(library: Path) -> dict[str, Any]:
    packages = sorted(p for p in library.iterdir() if p.is_dir() and not p.name.startswith("."))
    ruxue = subprocess.run(
        [
            sys.executable,
            "-m",
            "ruxue.cli.main",
            "archive",
            "check",
            "--all",
            "--json",
            str(library),
        ],
        capture_output=True,
        text=True,
    )
    report = json.loads(ruxue.stdout)
    four = sum(all(i["passed"] for i in items) for items in report.values())
    bagit_ok, mets_ok, premis_ok = set(), set(), set()
    for chunk in (packages[i : i + 200] for i in range(0, len(packages), 200)):
        bag = subprocess.run(
            [sys.executable, "-m", "bagit", "--validate", *map(str, chunk)],
            capture_output=True,
            text=True,
        )
        bagit_ok |= set(re.findall(r"(\S+) is valid", bag.stderr))
        mets_ok |= _xmllint(chunk, "METS.xml", "mets.xsd")
        premis_ok |= _xmllint(chunk, "metadata/premis.xml", "premis.xsd")
    names = {str(p) for p in packages}
    return {
        "packages": len(packages),
        "four_property_passed": four,
        "ruxue_check_exit": ruxue.returncode,
        "bagit_valid": len(names & bagit_ok),
        "mets_xmllint_valid": len(mets_ok),
        "premis_xmllint_valid": len(premis_ok),
    }


def _xmllint(packages: list[Path], rel: str, schema: str) -> set[str]:
    files = [str(p / "data" / rel) for p in packages]
    run = subprocess.run(
        ["xmllint", "--nonet", "--noout", "--schema", str(SCHEMAS / schema), *files],
        capture_output=True,
        text=True,
    )
    return set(re.findall(r"^(\S+) validates$", run.stderr, re.M)) & set(files)


def documents(library: Path) -> Counter[str]:
    return Counter(f.name for f in library.glob("DA*/data/content/001-*"))


def main() -> None:
    # this script's root: the environment's keys, which the processes it starts inherit
    process.configure(Settings())
    parser = argparse.ArgumentParser()
    parser.add_argument("--families", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--filing-timeout", type=float, default=1800)
    parser.add_argument("--out", default="")
    args = parser.parse_args()
    started = time.perf_counter()
    with running_city(args.families, args.database_url) as city:
        people = applicants(city.dataset)
        applied = asyncio.run(apply_all(city, people, args.concurrency))
        reviewed = asyncio.run(review_all(city))
        filed = asyncio.run(wait_filed(city, args.filing_timeout))
        library = Path(city.env["RUXUE_VAR_DIR"]) / "archive"
        checked = check_all(library) if library.is_dir() else {"packages": 0}
        docs = documents(library) if library.is_dir() else Counter()
    figures = {
        "run": "file_city",
        "families": args.families,
        "applicants": len(people),
        **applied,
        "reviewed": dict(reviewed),
        "cases": filed,
        "checked": checked,
        "documents": dict(docs),
        "all_filed_and_passing": filed["packages"]
        == filed["final"]
        == checked["packages"]
        == checked.get("four_property_passed")
        == checked.get("bagit_valid")
        == checked.get("mets_xmllint_valid")
        == checked.get("premis_xmllint_valid"),
        "wall_s": round(time.perf_counter() - started, 1),
    }
    if args.out:
        Path(args.out).write_text(json.dumps(figures, ensure_ascii=False, indent=1))
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
