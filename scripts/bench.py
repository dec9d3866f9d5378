"""ruxue benchmarks: dataset generation and sandbox load at city scale, exchange fan-out throughput.

python scripts/bench.py all|dataset|exchange|archive|flow|precheck [--families N]
"""

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench-results"
PY = sys.executable


def record(name: str, figures: dict[str, object]) -> None:
    OUT.mkdir(exist_ok=True)
    figures = {
        "bench": name,
        "at": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "cpus": os.cpu_count(),
        **figures,
    }
    (OUT / f"{name}.json").write_text(json.dumps(figures, ensure_ascii=False, indent=1))
    print(json.dumps(figures, ensure_ascii=False))


def bench_dataset(families: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "city.json"
        started = time.perf_counter()
        subprocess.run([PY, "-m", "ruxue.cli.main", "dataset", "generate", "--families", str(families),
                        "--seed", "1", "--out", str(out)], check=True)  # fmt: skip
        generated = time.perf_counter() - started
        load = subprocess.run([PY, str(ROOT / "scripts" / "measure_sandbox_load.py"), str(out)],
                              check=True, capture_output=True, text=True)  # fmt: skip
        record("dataset", {"families": families, "generate_s": round(generated, 1),
                           "file_mb": round(out.stat().st_size / 1e6, 1), "sandbox_load": load.stdout.strip()})  # fmt: skip


async def _fan_outs(url: str, db_url: str, rounds: int, concurrency: int) -> dict[str, object]:
    from ruxue.exchange.client import Ask, CallContext, ExchangeClient
    from ruxue.exchange.envelope import DEPARTMENTS
    from ruxue.exchange.service import envelope_consent, grant_consent
    from ruxue.kit import migrate, process
    from ruxue.kit.db import Database
    from ruxue.settings import Settings

    await asyncio.to_thread(migrate.upgrade, db_url)
    settings = Settings(database_url=db_url, exchange_url=f"{url}/exchange")
    process.configure(settings)
    db = Database(db_url)
    client = ExchangeClient(settings, db)
    guardian, child = "320508198801010110", "320508201910150213"
    async with db.write_session() as session:
        consent = await grant_consent(session, grantor=guardian, subjects=[guardian, child],
                                      departments=list(DEPARTMENTS), fields=[], purpose="ENROLLMENT")  # fmt: skip
    ctx = CallContext(case_no="BENCH", operator=guardian, consents=(envelope_consent(consent),))
    asks = [Ask("police.person", {"id_number": child}), Ask("police.hukou", {"id_number": child}),
            Ask("property.residences", {"id_number": guardian}), Ask("civil.marriage", {"id_number": guardian}),
            Ask("health.birth_certificate", {"id_number": child}), Ask("xueji.student_status", {"id_number": child})]  # fmt: skip
    latencies: list[float] = []
    sem = asyncio.Semaphore(concurrency)

    async def one() -> None:
        async with sem:
            started = time.perf_counter()
            answers = await client.ask_all(ctx, asks)
            assert all(a.ok for a in answers), [a.error for a in answers]
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(one() for _ in range(rounds)))
    elapsed = time.perf_counter() - started
    await client.aclose()
    await db.dispose()
    latencies.sort()
    return {"fan_outs": rounds, "calls": rounds * len(asks), "concurrency": concurrency,
            "fan_outs_per_s": round(rounds / elapsed, 1), "calls_per_s": round(rounds * len(asks) / elapsed, 1),
            "p50_ms": round(statistics.median(latencies) * 1000, 1),
            "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 1)}  # fmt: skip


def bench_exchange(rounds: int = 300, concurrency: int = 20) -> None:
    port = 18123
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "RUXUE_MODE": "demo", "RUXUE_VAR_DIR": tmp}
        sandbox = subprocess.Popen(
            [PY, "-m", "ruxue.cli.main", "sandbox", "--port", str(port)], env=env
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/_sandbox/health").status_code == 200:
                        break
                except httpx.HTTPError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.2)
            figures = asyncio.run(
                _fan_outs(
                    f"http://127.0.0.1:{port}",
                    f"sqlite+aiosqlite:///{tmp}/bench.db",
                    rounds,
                    concurrency,
                )
            )
        finally:
            sandbox.terminate()
            sandbox.wait()
    record("exchange", {"database": "sqlite", **figures})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "which", choices=["all", "dataset", "exchange", "archive", "flow", "precheck"]
    )
    parser.add_argument("--families", type=int, default=200_000)
    args = parser.parse_args()
    if args.which in ("all", "exchange"):
        bench_exchange()
    if args.which in ("all", "archive"):
        # pinned to one CPU where taskset exists, so "per core" is what the figure says
        pin = ["taskset", "-c", "0"] if shutil.which("taskset") else []
        subprocess.run([*pin, PY, str(ROOT / "scripts" / "bench_archive.py"), "1000", str(OUT / "archive.json")],
                       check=True)  # fmt: skip
    if args.which in ("all", "flow"):
        # the whole online flow, app + worker + sandbox + load on this machine (SQLite)
        subprocess.run([PY, str(ROOT / "scripts" / "bench_flow.py"), "--applicants", "500",
                        "--out", str(OUT / "flow.json")], check=True)  # fmt: skip
    if args.which in ("all", "dataset"):
        bench_dataset(args.families)
    if args.which in ("all", "precheck"):
        # the whole primary cohort of a generated city: sandbox + precheck processes, SQLite
        script = str(ROOT / "scripts" / "bench_precheck.py")
        out = str(OUT / "precheck.json")
        subprocess.run([PY, script, "--families", str(args.families), "--out", out], check=True)


if __name__ == "__main__":
    main()
