"""Peak day on the scaled set-up: PostgreSQL, the Redis task queue, N app processes and M worker
processes, with every department of the sandbox at 100 ms; the load generator (``loadgen.py``,
its own process) sends guardians through the whole flow, first against 1 app process, then 2
(``--app-workers 1,2``), each on a fresh database. Writes ``bench-results/peak.json`` and prints a
summary, with the throughput of the last set-up against the first.

    bench_peak.py [--families 100000] [--rate 50] [--duration 300] [--mode open|closed]
                  [--concurrency C] [--app-workers 1,2] [--workers 2] [--latency-ms 100]
                  [--database ruxue_peak] [--queue-url redis://…] [--dataset F]
                  [--county DISTRICT] [--out F]

The city is generated once (seed 7) into ``var/peak/`` and reused by later runs. The database
``ruxue_peak`` at 127.0.0.1:5432 is dropped and created again before each set-up and kept after
the last one, for a look. The Redis database (``--queue-url``, default: the first empty one of
/14 … /8) is emptied before each set-up and after the last. With ``--county D`` the stack is
district D's county system: a city process of its own (database ``ruxue_peak_city``) receives its
stage reports through the outbox, and only D's children apply.
"""

import argparse
import asyncio
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_flow import free_port, running_city

from ruxue.cli.run import wait_ready
from ruxue.kit import process
from ruxue.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
PG = "postgresql://postgres@127.0.0.1:5432"
COUNTY_CLIENT = "peak-county"


async def _admin(sql: str) -> None:
    conn = await asyncpg.connect(f"{PG}/postgres")
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def fresh_database(name: str) -> str:
    asyncio.run(_admin(f'drop database if exists "{name}" with (force)'))
    asyncio.run(_admin(f'create database "{name}"'))
    return f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"


def redis_queue(url: str) -> str:
    """``url``, or the first empty Redis database of /14 … /8."""
    import redis

    if url:
        return url
    for n in range(14, 7, -1):
        if redis.Redis(host="127.0.0.1", port=6379, db=n).dbsize() == 0:
            return f"redis://127.0.0.1:6379/{n}"
    raise SystemExit("no empty Redis database in /14 … /8: give --queue-url")


def empty_queue(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


def city_dataset(families: int, given: str) -> Path:
    if given:
        return Path(given)
    path = ROOT / "var" / "peak" / f"city-{families}-seed7.json"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        print(f"bench-peak: generating a city of {families} families …", file=sys.stderr)
        partial = path.with_suffix(".part")
        subprocess.run(
            [
                sys.executable,
                "-m",
                "ruxue.cli.main",
                "dataset",
                "generate",
                "--families",
                str(families),
                "--seed",
                "7",
                "--out",
                str(partial),
            ],
            check=True,
            env={**os.environ, "RUXUE_MODE": "demo"},
        )
        partial.rename(path)
    return path


@contextmanager
def upstream(args: argparse.Namespace) -> Iterator[tuple[dict[str, str], dict[str, Any]]]:
    """With ``--county D``: the city this stack reports to, its own ``ruxue serve`` on its own
    database (``<database>_city``), with a client for district D; yields the stack's upstream
    settings and the city's process (for its CPU). Without: nothing."""
    if not args.county:
        yield {}, {}
        return
    url = fresh_database(f"{args.database}_city")
    port = free_port()
    workdir = Path(tempfile.mkdtemp(prefix="ruxue-peak-city-"))
    env = {
        **os.environ,
        "RUXUE_MODE": "demo",
        "RUXUE_DATABASE_URL": url,
        "RUXUE_VAR_DIR": str(workdir / "var"),
        "RUXUE_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "RUXUE_QUEUE_URL": f"sqlite:///{workdir / 'queue.db'}",
    }
    ruxue = [sys.executable, "-m", "ruxue.cli.main"]
    subprocess.run([*ruxue, "db", "upgrade"], env=env, check=True, capture_output=True)
    secret = asyncio.run(add_client(url, args.county))
    with (workdir / "city.log").open("ab") as log:
        city = subprocess.Popen(
            [*ruxue, "serve", "--port", str(port)],
            env=env,
            cwd=workdir,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_ready(f"http://127.0.0.1:{port}/healthz", [city], timeout=120)
        yield (
            {
                "RUXUE_UPSTREAM_URL": f"http://127.0.0.1:{port}",
                "RUXUE_UPSTREAM_CLIENT_ID": COUNTY_CLIENT,
                "RUXUE_UPSTREAM_CLIENT_SECRET": secret,
            },
            {"city (upstream)": city, "url": url},
        )
    finally:
        city.terminate()
        city.wait(timeout=20)
        shutil.rmtree(workdir, ignore_errors=True)


async def add_client(url: str, district: str) -> str:
    from ruxue.county.schemas import NewClient
    from ruxue.county.service import add_client as add
    from ruxue.kit.db import Database

    db = Database(url)
    try:
        async with db.write_session() as session:
            return await add(
                session, NewClient(client_id=COUNTY_CLIENT, name="压测县区", district_code=district)
            )
    finally:
        await db.dispose()


async def reports_received(url: str) -> int:
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
    try:
        return int(await conn.fetchval("select count(*) from case_stage_report"))
    finally:
        await conn.close()


def one_setup(args: argparse.Namespace, dataset: Path, app_workers: int) -> dict[str, Any]:
    with upstream(args) as (county_env, city):
        return _one_setup(args, dataset, app_workers, county_env, city)


def _one_setup(
    args: argparse.Namespace,
    dataset: Path,
    app_workers: int,
    county_env: dict[str, str],
    upstream_city: dict[str, Any],
) -> dict[str, Any]:
    database_url = fresh_database(args.database)
    queue_url = args.queue_url
    empty_queue(queue_url)
    # call-log chains: the web processes do not queue on one chain head; the workers run niced,
    # so the archive and licence queues drain from what the guardians leave of the CPU
    env = {"RUXUE_QUEUE_URL": queue_url, "RUXUE_CALL_LOG_CHAINS": "16", **county_env}
    print(
        f"bench-peak: {app_workers} app process(es), {args.workers} worker process(es), "
        f"{database_url}, {queue_url}",
        file=sys.stderr,
    )
    niced = ("--nice", str(args.worker_nice)) if args.worker_nice else ()
    with running_city(
        args.families,
        database_url,
        app_workers,
        env,
        dataset,
        args.workers,
        niced,
        placement=args.placement,
    ) as city:
        out = city.tmp / "loadgen.json"
        command = [
            sys.executable,
            str(ROOT / "scripts" / "loadgen.py"),
            "--app-url",
            city.app_url,
            "--sandbox-url",
            city.sandbox_url,
            "--dataset",
            str(dataset),
            "--database-url",
            database_url,
            "--queue-url",
            queue_url,
            "--mode",
            args.mode,
            "--rate",
            str(args.rate),
            "--duration",
            str(args.duration),
            "--concurrency",
            str(args.concurrency),
            "--latency-ms",
            str(args.latency_ms),
            "--ceiling-seconds",
            str(args.ceiling_seconds),
            "--drain-seconds",
            str(args.drain_seconds),
            "--out",
            str(out),
            *(["--district", args.county] if args.county else []),
        ]
        procs = {**city.procs, **{k: v for k, v in upstream_city.items() if k != "url"}}
        for name, proc in procs.items():
            command += ["--watch", f"{name}={proc.pid}"]
        command += ["--watch", "postgres (whole server)=name:postgres"]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=city.env)
        figures = json.loads(out.read_text())
    if upstream_city:
        figures["county"] = args.county
        figures["upstream_reports"] = asyncio.run(reports_received(upstream_city["url"]))
    return {"app_workers": app_workers, "worker_processes": args.workers, **figures}


def summary(run: dict[str, Any]) -> str:
    steps = run["steps"]
    worst = max((s for s in steps if not s.startswith("whole")), key=lambda s: steps[s]["p99_ms"])
    after = run.get("after", {})
    return (
        f"{run['app_workers']} app process(es): {run['completed_per_s']} completed/s "
        f"({run['completed']} of {run['started']} started, {run['failed']} failed, "
        f"{run['not_started']} not started), {run['app_requests_per_s']} req/s = "
        f"{run.get('flow_to_ceiling', '?')} of the ceiling "
        f"({run.get('ceiling', {}).get('requests_per_s', '?')} req/s); worst step p99 "
        f"{worst} {steps[worst]['p99_ms']} ms; whole p50 {steps.get('whole', {}).get('p50_ms')} ms; "
        f"drained {after.get('drained')} in {after.get('drain_s')} s, decided without "
        f"package {after.get('decided_without_package')}, ledger digests not chained "
        f"{after.get('ledger_pending')}; loadgen {run['loadgen_cpu_cores']} "
        f"cores; cores {run.get('cpu_cores')}; CPU ms per application "
        f"{run.get('cpu_ms_per_application')}; errors {run['errors']}"
    )


def main() -> None:
    # this script's root: the environment's keys, which the processes it starts inherit
    process.configure(Settings())
    p = argparse.ArgumentParser()
    p.add_argument("--families", type=int, default=100_000)
    p.add_argument("--dataset", default="", help="a generated city (default: var/peak/, made once)")
    p.add_argument("--mode", choices=["open", "closed"], default="open")
    p.add_argument("--rate", type=float, default=50.0)
    p.add_argument("--duration", type=float, default=300.0)
    p.add_argument("--concurrency", type=int, default=50)
    p.add_argument("--app-workers", default="1,2")
    p.add_argument("--workers", type=int, default=2, help="task-queue worker processes")
    p.add_argument(
        "--placement",
        choices=["at_submission", "allocation"],
        default="at_submission",
        help="allocation: every district on the cohort's run (no notice at submission)",
    )
    p.add_argument("--worker-nice", type=int, default=10, help="CPU priority of the workers")
    p.add_argument("--latency-ms", type=int, default=100)
    p.add_argument("--ceiling-seconds", type=float, default=10.0)
    p.add_argument("--drain-seconds", type=float, default=900.0)
    p.add_argument("--database", default="ruxue_peak")
    p.add_argument("--queue-url", default="")
    p.add_argument(
        "--county",
        default="",
        metavar="DISTRICT",
        help="run as this district's county system, reporting to a city of its own "
        "(the outbox exercised); only this district's children apply",
    )
    p.add_argument("--out", default=str(ROOT / "bench-results" / "peak.json"))
    args = p.parse_args()
    dataset = city_dataset(args.families, args.dataset)
    args.queue_url = redis_queue(args.queue_url)
    runs = []
    try:
        for n in (int(x) for x in args.app_workers.split(",")):
            runs.append(one_setup(args, dataset, n))
            print("bench-peak: " + summary(runs[-1]), file=sys.stderr, flush=True)
    finally:
        empty_queue(args.queue_url)
    figures: dict[str, Any] = {
        "bench": "peak",
        "at": dt.datetime.now().isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "database": "postgresql",
        "queue": "redis",
        "families": args.families,
        "placement": args.placement,
        "mode": args.mode,
        "rate": args.rate,
        "duration_s": args.duration,
        "latency_ms": args.latency_ms,
        "runs": runs,
    }
    if len(runs) > 1 and runs[0]["completed_per_s"]:
        figures["throughput_ratio_last_to_first"] = round(
            runs[-1]["completed_per_s"] / runs[0]["completed_per_s"], 2
        )
        # open loop: a set-up that kept up completes what was offered, whatever its capacity
        kept_up = args.mode == "open" and runs[0]["completed_per_s"] >= 0.95 * args.rate
        figures["first_setup_saturated"] = not kept_up
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(figures, ensure_ascii=False, indent=1))
    for run in runs:
        print(summary(run))
    if "throughput_ratio_last_to_first" in figures:
        print(
            f"{runs[-1]['app_workers']} vs {runs[0]['app_workers']} app processes: "
            f"{figures['throughput_ratio_last_to_first']}x completed/s"
        )
        if not figures["first_setup_saturated"]:
            print(
                "  (the first set-up kept up with the offered rate: the ratio says nothing about "
                "capacity; use --mode closed with a high --concurrency, or a higher --rate)"
            )
    print(f"figures: {args.out}")


if __name__ == "__main__":
    main()
