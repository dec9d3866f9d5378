"""A city and a county on PostgreSQL, as separate ruxue processes: the county's cases move through
their stages (申报, 受理, 办理, 办结) while its relay is killed mid-batch and restarted and the city is
killed and restarted. At the end the city must hold exactly one record per (case, stage), at the
county's latest data version. Prints the figures as one JSON line; exits 1 on a mismatch.

    python scripts/county_run.py --cases 1000
"""

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parent.parent
BASE = os.environ.get(
    "RUXUE_TEST_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
DISTRICT = "320506"
CLIENT = "wuzhong-county"


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def admin(sql: str) -> None:
    conn = await asyncpg.connect(BASE.replace("postgresql+asyncpg", "postgresql"))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


class Run:
    """The two databases, the city's process, the county's relay process and the figures."""

    def __init__(self, cases: int, workdir: Path) -> None:
        self.cases, self.workdir = cases, workdir
        tag = uuid.uuid4().hex[:8]
        self.names = (f"ruxue_city_{tag}", f"ruxue_county_{tag}")
        self.city_url, self.county_url = (BASE.rsplit("/", 1)[0] + f"/{n}" for n in self.names)
        self.port = free_port()
        self.city: subprocess.Popen[bytes] | None = None
        self.relay: subprocess.Popen[bytes] | None = None
        self.relay_runs = 0
        self.figures = {"relay_killed_mid_batch": 0, "city_killed": 0}

    def env(self, **extra: str) -> dict[str, str]:
        return {
            **os.environ,
            "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
            "RUXUE_MODE": "test",
            "RUXUE_VAR_DIR": str(self.workdir / "var"),
            "RUXUE_QUEUE_URL": f"sqlite:///{self.workdir / 'queue.db'}",
            **extra,
        }

    def county_env(self) -> dict[str, str]:
        return self.env(
            RUXUE_DATABASE_URL=self.county_url,
            RUXUE_UPSTREAM_URL=f"http://127.0.0.1:{self.port}",
            RUXUE_UPSTREAM_CLIENT_ID=CLIENT,
            RUXUE_UPSTREAM_CLIENT_SECRET=self.secret,
            RUXUE_RELAY_BATCH="20",
            RUXUE_RELAY_LEASE_S="2",
            RUXUE_RELAY_BACKOFF_S="0.1",
            RUXUE_RELAY_MAX_ATTEMPTS="1000",
        )

    def start_city(self) -> None:
        ruxue = [sys.executable, "-m", "ruxue.cli.main", "serve", "--port", str(self.port)]
        env = self.env(
            RUXUE_DATABASE_URL=self.city_url, RUXUE_PUBLIC_URL=f"http://127.0.0.1:{self.port}"
        )
        log = open(self.workdir / "city.log", "ab")  # noqa: SIM115
        self.city = subprocess.Popen(ruxue, env=env, cwd=self.workdir, stdout=log, stderr=log)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # until the city answers
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise SystemExit("the city did not start")

    def kill_city(self) -> None:
        assert self.city is not None
        self.city.kill()
        self.city.wait()
        self.figures["city_killed"] += 1

    def start_relay(self) -> None:
        self.relay_runs += 1
        log = open(self.workdir / f"relay-{self.relay_runs}.jsonl", "wb")  # noqa: SIM115
        command = [
            sys.executable,
            "-m",
            "ruxue.cli.main",
            "county",
            "relay",
            "--loop",
            "--interval",
            "0.05",
        ]
        self.relay = subprocess.Popen(command, env=self.county_env(), cwd=self.workdir, stdout=log)

    def kill_relay(self) -> None:
        assert self.relay is not None
        self.relay.kill()
        self.relay.wait()

    def tallies(self) -> dict[str, int]:
        total = {"sent": 0, "stale": 0, "failed": 0, "dead": 0}
        for path in self.workdir.glob("relay-*.jsonl"):
            for line in path.read_text().splitlines():
                if line.startswith("{"):
                    for key, value in json.loads(line).items():
                        total[key] += value
        return total


async def setup(run: Run) -> None:
    from ruxue.kit import migrate

    for name in run.names:
        await admin(f'CREATE DATABASE "{name}"')
    for url in (run.city_url, run.county_url):
        await asyncio.to_thread(migrate.upgrade, url)
    from ruxue.county.schemas import NewClient
    from ruxue.county.service import add_client
    from ruxue.kit.db import Database

    city = Database(run.city_url)
    async with city.write_session() as session:
        new = NewClient(client_id=CLIENT, name="吴中区入学系统", district_code=DISTRICT)
        run.secret = await add_client(session, new)
    await city.dispose()


async def wave(run: Run, number: int) -> None:
    """Move every case one step on the county, one transaction per case, as its staff would."""
    from ruxue.county.demo import step
    from ruxue.kit.db import Database

    county = Database(run.county_url)
    try:
        for i in range(run.cases):
            async with county.write_session() as session:
                await step(session, f"WZ-2026-{i:06d}", number, i)
    finally:
        await county.dispose()


async def wait_for(condition: str, url: str, limit_s: float = 120) -> None:
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
    try:
        deadline = time.monotonic() + limit_s
        while not await conn.fetchval(condition):
            if time.monotonic() > deadline:
                raise SystemExit(f"timed out waiting for: {condition}")
            await asyncio.sleep(0.005)
    finally:
        await conn.close()


MID_BATCH = "SELECT count(*) > 0 FROM report_outbox WHERE claimed_until > now() AND sent_at IS NULL"
FAILED = "SELECT count(*) > 0 FROM report_outbox WHERE last_error <> '' AND sent_at IS NULL"
DRAINED = "SELECT count(*) = 0 FROM report_outbox WHERE sent_at IS NULL"


async def scenario(run: Run) -> None:
    run.start_city()
    run.start_relay()
    await wave(run, 1)  # 申报 + 受理 + 办理/办结, relay sending meanwhile
    await wait_for(MID_BATCH, run.county_url)
    run.kill_relay()  # mid-batch: claimed rows, perhaps already applied by the city
    run.figures["relay_killed_mid_batch"] += 1
    await wave(run, 2)  # reviews while no relay runs
    run.start_relay()
    await wait_for(MID_BATCH, run.county_url)
    run.kill_city()  # the city dies under the relay
    await wave(run, 3)
    await wait_for(FAILED, run.county_url)
    run.start_city()
    await wait_for(DRAINED, run.county_url, limit_s=600)
    run.kill_relay()


async def verify(run: Run) -> dict[str, object]:
    city = await asyncpg.connect(run.city_url.replace("postgresql+asyncpg", "postgresql"))
    county = await asyncpg.connect(run.county_url.replace("postgresql+asyncpg", "postgresql"))
    try:
        held = await city.fetch("SELECT case_no, stage, data_version FROM case_stage_report")
        latest = await county.fetch(
            "SELECT case_no, stage, max(data_version) AS v FROM report_outbox GROUP BY case_no, stage"
        )
        outbox = await county.fetchrow(
            "SELECT count(*) AS rows, count(sent_at) AS sent, sum(attempts - 1) AS retried,"
            " count(dead_at) AS dead FROM report_outbox"
        )
    finally:
        await city.close()
        await county.close()
    city_rows = [(r["case_no"], r["stage"], r["data_version"]) for r in held]
    expected = {(r["case_no"], r["stage"]): r["v"] for r in latest}
    tallies = run.tallies()
    return {
        "cases": run.cases,
        "stage_rows_expected": len(expected),
        "city_rows": len(city_rows),
        "exact": len(city_rows) == len(set((c, s) for c, s, _ in city_rows))
        and {(c, s): v for c, s, v in city_rows} == expected,
        "outbox_rows": outbox["rows"],
        "sent": outbox["sent"],
        "retried": int(outbox["retried"] or 0),
        "dead": outbox["dead"],
        "duplicates_absorbed": tallies["stale"],
        "failed_attempts": tallies["failed"],
        **run.figures,
    }


async def main(cases: int) -> int:
    from ruxue.kit import process
    from ruxue.settings import get_settings
    from ruxue.wiring import wire

    with tempfile.TemporaryDirectory() as tmp:
        run = Run(cases, Path(tmp))
        os.environ.update({k: v for k, v in run.env().items() if k.startswith("RUXUE_")})
        process.configure(get_settings())  # this script's root: the city's settings first
        started = time.monotonic()
        try:
            await setup(run)
            os.environ.update({k: v for k, v in run.county_env().items() if k.startswith("RUXUE_")})
            get_settings.cache_clear()  # this process now drives the county's cases
            process.configure(get_settings())
            wire(get_settings())  # its moves reach the county outbox, as in the county's app
            await scenario(run)
            figures = await verify(run)
        finally:
            for proc in (run.relay, run.city):
                if proc is not None and proc.poll() is None:
                    proc.send_signal(signal.SIGTERM)
                    proc.wait(timeout=15)
            for name in run.names:
                await admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        figures["seconds"] = round(time.monotonic() - started, 1)
        print(json.dumps(figures))
        return 0 if figures["exact"] else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=1000)
    sys.exit(asyncio.run(main(parser.parse_args().cases)))
