"""``ruxue precheck`` of a whole primary cohort: generate a city (default 200,000 families, seed 7),
load it into the sandbox, migrate a fresh database (SQLite unless --database-url), import the
schools, then time the precheck CLI over the whole cohort. Figures go to the console and
bench-results/precheck.json, with the machine's load while it ran (the machine may be shared).

    python scripts/bench_precheck.py [--families 200000] [--dataset city.json] [--processes 2]
                                     [--batch-size 200] [--concurrency 4] [--limit N]
                                     [--database-url postgresql+asyncpg://...] [--one-by-one N]
"""

import argparse
import asyncio
import contextlib
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench-results"
PY = sys.executable
PORT = 18131


def cli(env: dict[str, str], *args: str) -> float:
    started = time.perf_counter()
    subprocess.run([PY, "-m", "ruxue.cli.main", *args], env=env, check=True)
    return time.perf_counter() - started


def cpu_busy() -> tuple[float, float]:
    """(busy, total) jiffies of the whole machine since boot."""
    fields = [float(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


def cpu_seconds(pid: int) -> float:
    """User + system CPU of one process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (float(fields[11]) + float(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_sandbox(env: dict[str, str], dataset: Path) -> tuple[subprocess.Popen[bytes], float]:
    started = time.perf_counter()
    command = [
        PY,
        "-m",
        "ruxue.cli.main",
        "sandbox",
        "--dataset",
        str(dataset),
        "--port",
        str(PORT),
    ]
    sandbox = subprocess.Popen(command, env=env)
    deadline = time.monotonic() + 300
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{PORT}/_sandbox/health").status_code == 200:
                return sandbox, time.perf_counter() - started
        except httpx.HTTPError:
            if time.monotonic() > deadline or sandbox.poll() is not None:
                sandbox.kill()
                raise
            time.sleep(0.5)


def timed_precheck(
    env: dict[str, str], args: argparse.Namespace, out: Path, sandbox: int
) -> dict[str, object]:
    command = [
        "precheck",
        "--year",
        "2026",
        "--segment",
        "primary",
        "--out",
        str(out),
        "--processes",
        str(args.processes),
        "--batch-size",
        str(args.batch_size),
        "--concurrency",
        str(args.concurrency),
    ] + (["--limit", str(args.limit)] if args.limit else [])
    load_before, (busy0, total0), sandbox0 = os.getloadavg()[0], cpu_busy(), cpu_seconds(sandbox)
    ours0 = os.times()
    elapsed = cli(env, *command)
    ours1 = os.times()
    (busy1, total1), sandbox1 = cpu_busy(), cpu_seconds(sandbox)
    cores = os.cpu_count() or 1
    precheck_cpu = (ours1.children_user + ours1.children_system) - (
        ours0.children_user + ours0.children_system
    )
    machine_cpu = (busy1 - busy0) / (total1 - total0) * elapsed * cores
    sandbox_cpu = sandbox1 - sandbox0
    with out.open(encoding="utf-8-sig") as f:
        decisions = Counter(r["decision"] for r in csv.DictReader(f))
    children = sum(decisions.values())
    return {
        "command": "ruxue " + " ".join(command),
        "children": children,
        "total_s": round(elapsed, 1),
        "children_per_s": round(children / elapsed, 1),
        "decisions": dict(decisions),
        "cpu_s": {
            "precheck": round(precheck_cpu, 1),
            "sandbox": round(sandbox_cpu, 1),
            "others_on_machine": round(max(machine_cpu - precheck_cpu - sandbox_cpu, 0), 1),
            "available": round(elapsed * cores, 1),
        },
        "load_1min_before": round(load_before, 2),
        "load_1min_after": round(os.getloadavg()[0], 2),
    }


async def one_by_one(sample: int) -> dict[str, object]:
    """The path a run used before batching (``assess_family``: single calls, one consent per
    child), on the first ``sample`` children, 16 at a time, in this process; same sandbox."""
    from ruxue.enrollment.gather import DepartmentDown, StepError
    from ruxue.exchange.client import ExchangeClient
    from ruxue.kit import process
    from ruxue.kit.db import Database
    from ruxue.precheck.precheck import assess_family, cohort, parents_of
    from ruxue.settings import Settings

    settings = Settings()
    process.configure(settings)
    db = Database(settings.resolved_database_url())
    client = ExchangeClient(settings, db)
    gate = asyncio.Semaphore(16)

    async def one(child: dict[str, str]) -> None:
        async with gate:
            with contextlib.suppress(StepError, DepartmentDown):  # a row "not assessed"
                await assess_family(
                    db, client, 2026, "primary", child["id_number"], parents_of(child)
                )

    try:
        children = (await cohort(client, 2026, "primary"))[:sample]
        started = time.perf_counter()
        await asyncio.gather(*(one(c) for c in children))
        elapsed = time.perf_counter() - started
    finally:
        await client.aclose()
        await db.dispose()
    return {
        "children": len(children),
        "s": round(elapsed, 1),
        "children_per_s": round(len(children) / elapsed, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--families", type=int, default=200_000)
    parser.add_argument("--dataset", type=Path, help="an existing dataset file (skips generation)")
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--limit", type=int)
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    parser.add_argument(
        "--one-by-one",
        type=int,
        default=0,
        metavar="N",
        help="also time the single-call path on N children, for comparison",
    )
    parser.add_argument("--out", type=Path, default=OUT / "precheck.json")
    args = parser.parse_args()
    figures: dict[str, object] = {
        "cpus": os.cpu_count(),
        "processes": args.processes,
        "batch_size": args.batch_size,
        "concurrency": args.concurrency,
    }
    with tempfile.TemporaryDirectory(prefix="bench-precheck-") as tmp:
        db_url = args.database_url or f"sqlite+aiosqlite:///{tmp}/precheck.db"
        env = {
            **os.environ,
            "RUXUE_MODE": "demo",
            "RUXUE_VAR_DIR": f"{tmp}/var",
            "RUXUE_DATABASE_URL": db_url,
            "RUXUE_EXCHANGE_URL": f"http://127.0.0.1:{PORT}/exchange",
        }
        dataset = args.dataset or Path(tmp) / "city.json"
        if args.dataset is None:
            figures["generate_s"] = round(
                cli(
                    env,
                    "dataset",
                    "generate",
                    "--families",
                    str(args.families),
                    "--seed",
                    "7",
                    "--out",
                    str(dataset),
                ),
                1,
            )
        figures["dataset_mb"] = round(dataset.stat().st_size / 1e6, 1)
        figures["database"] = db_url.split("+", 1)[0]
        figures["migrate_s"] = round(cli(env, "db", "upgrade"), 1)
        figures["schools_import_s"] = round(cli(env, "schools", "import", str(dataset)), 1)
        sandbox, figures["sandbox_load_s"] = start_sandbox(env, dataset)
        try:
            figures.update(timed_precheck(env, args, Path(tmp) / "precheck.csv", sandbox.pid))
            if args.one_by_one:
                os.environ.update(env)
                figures["one_by_one"] = asyncio.run(one_by_one(args.one_by_one))
        finally:
            sandbox.terminate()
            sandbox.wait()
    figures = {"bench": "precheck", "at": time.strftime("%Y-%m-%dT%H:%M:%S"), **figures}
    args.out.parent.mkdir(exist_ok=True)
    args.out.write_text(json.dumps(figures, ensure_ascii=False, indent=1))
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
