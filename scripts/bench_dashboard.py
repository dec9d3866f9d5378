"""Dashboard on a generated city: seed N families (default 20,000) straight into a fresh SQLite
database, materialise the aggregates, serve the app in its own process, and time every JSON
endpoint of the dashboard for the city, a district and a school (p50/p99 over sequential requests,
measured by the client over real HTTP). With --shot, a 1280×800 Debian Chromium screenshot of the
dashboard goes to bench-results/.

    python scripts/bench_dashboard.py [--families 20000] [--requests 300] [--shot]
"""

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pyotp

from ruxue.dashboard.seed import City, seed_city
from ruxue.dashboard.service import refresh
from ruxue.kit import migrate, process
from ruxue.kit.db import Database
from ruxue.settings import Settings
from ruxue.staff.service import create_staff

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench-results"
PASSWORD = "bench-dashboard-42"
ENDPOINTS = [
    "summary",
    "applications?period=hour",
    "applications?period=day",
    "tables/districts.json",
    "tables/schools.json",
    "tables/departments.json",
]


async def prepare(url: str, city: City) -> dict[str, str]:
    db = Database(url, clock=lambda: city.now)
    started = time.perf_counter()
    async with db.write_session() as session:
        counts = await seed_city(session, city)
    print(f"seeded {counts} in {time.perf_counter() - started:.1f} s")
    secrets = {}
    async with db.write_session() as session:
        for name, role, district, school in (
            ("city", "admin", None, None),
            ("shot", "admin", None, None),
            ("district", "reviewer", "320508", None),
            ("school", "desk", "320508", "3205080002"),
        ):
            _, secrets[name] = await create_staff(
                session,
                username=name,
                name=name,
                role=role,
                password=PASSWORD,
                district_code=district,
                school_code=school,
            )
    started = time.perf_counter()
    async with db.write_session() as session:
        rows = await refresh(session)
    print(f"materialised {rows} counter rows in {time.perf_counter() - started:.2f} s")
    await db.dispose()
    return secrets


async def login(base: str, username: str, secret: str) -> httpx.AsyncClient:
    http = httpx.AsyncClient(base_url=base, timeout=30)
    answer = await http.post(
        "/api/v1/staff/login",
        json={"username": username, "password": PASSWORD, "code": pyotp.TOTP(secret).now()},
    )
    answer.raise_for_status()
    return http


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


async def measure(base: str, secrets: dict[str, str], requests: int) -> list[dict[str, object]]:
    results = []
    for who, secret in secrets.items():
        http = await login(base, who, secret)
        for endpoint in ENDPOINTS:
            path = f"/api/v1/dashboard/{endpoint}"
            for _ in range(10):
                (await http.get(path)).raise_for_status()
            times = []
            for _ in range(requests):
                started = time.perf_counter()
                answer = await http.get(path)
                times.append((time.perf_counter() - started) * 1000)
                answer.raise_for_status()
            results.append(
                {
                    "scope": who,
                    "endpoint": endpoint,
                    "p50_ms": round(statistics.median(times), 1),
                    "p99_ms": round(percentile(times, 0.99), 1),
                    "max_ms": round(max(times), 1),
                    "bytes": len(answer.content),
                }
            )
            print(
                f"{who:9} {endpoint:28} p50 {results[-1]['p50_ms']:6} ms  p99 {results[-1]['p99_ms']:6} ms"
            )
        await http.aclose()
    return results


async def screenshot(base: str, secret: str, families: int) -> Path:
    from playwright.async_api import async_playwright

    chromium = "/usr/bin/chromium"
    path = OUT / f"dashboard-{families}.png"
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(
            executable_path=chromium, args=["--no-sandbox", "--disable-gpu"]
        )
        page = await browser.new_page(viewport={"width": 1280, "height": 800}, locale="zh-CN")
        # signed in through the API (same cookies): the staff home of a city administrator lists
        # every school's queue, ~8 MB of HTML at this size, which is not what is measured here
        login = {"username": "shot", "password": PASSWORD, "code": pyotp.TOTP(secret).now()}
        assert (await page.request.post(f"{base}/api/v1/staff/login", data=login)).ok
        await page.goto(f"{base}/staff/dashboard")
        await page.wait_for_selector("#dashboard[data-ready='1']")
        await page.wait_for_timeout(800)  # ECharts animates its first draw
        await page.screenshot(path=str(path))
        await browser.close()
    return path


async def wait_up(base: str) -> None:
    async with httpx.AsyncClient(base_url=base) as http:
        for _ in range(200):
            try:
                if (await http.get("/healthz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError("the app did not start")


def write(args: argparse.Namespace, results: list[dict[str, object]], shot: Path | None) -> None:
    OUT.mkdir(exist_ok=True)
    report = {
        "families": args.families,
        "database": "sqlite",
        "requests_per_endpoint": args.requests,
        "results": results,
        "worst_p99_ms": max(float(str(r["p99_ms"])) for r in results),
        "screenshot": str(shot) if shot else None,
    }
    (OUT / "dashboard.json").write_text(json.dumps(report, ensure_ascii=False, indent=2))
    print(f"worst p99 {report['worst_p99_ms']} ms; written to bench-results/dashboard.json")


def main() -> None:
    # this script's root: the environment's keys, which the processes it starts inherit
    process.configure(Settings())
    parser = argparse.ArgumentParser()
    parser.add_argument("--families", type=int, default=20000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--port", type=int, default=8731)
    parser.add_argument("--shot", action="store_true")
    args = parser.parse_args()
    work = ROOT / "var" / "bench-dashboard"
    work.mkdir(parents=True, exist_ok=True)
    database = work / f"city-{args.families}.db"
    database.unlink(missing_ok=True)
    url = f"sqlite+aiosqlite:///{database}"
    migrate.upgrade(url)
    city = City(args.families)
    secrets = asyncio.run(prepare(url, city))
    env = {
        **os.environ,
        "RUXUE_DATABASE_URL": url,
        "RUXUE_MODE": "demo",
        "RUXUE_NOW": city.now.isoformat(),
        "RUXUE_VAR_DIR": str(work),
        "RUXUE_PUBLIC_URL": f"http://127.0.0.1:{args.port}",
    }
    base = f"http://127.0.0.1:{args.port}"
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "ruxue.web.main:app",
            "--port",
            str(args.port),
            "--log-level",
            "warning",
        ],
        env=env,
    )
    try:
        asyncio.run(wait_up(base))
        shot_secret = secrets.pop("shot")
        results = asyncio.run(measure(base, secrets, args.requests))
        shot = asyncio.run(screenshot(base, shot_secret, args.families)) if args.shot else None
    finally:
        server.terminate()
        server.wait()
    write(args, results, shot)


if __name__ == "__main__":
    main()
