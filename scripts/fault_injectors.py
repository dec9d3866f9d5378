"""The faults of round 2 of the fault run (scripts/fault_run.py), each on something the run owns
so it is safe on a shared machine: its own Redis server, its own tmpfs for the archive, a lock in
its own database, the sandbox's fault API, a county system of its own (SQLite) beside the city."""

import asyncio
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from bench_flow import City, free_port

from ruxue.kit.http import tls_context

Log = Callable[..., None]
RUXUE = [sys.executable, "-m", "ruxue.cli.main"]


# --- Redis: a server of the run's own, stopped and started again ---------------------------------


class OwnRedis:
    """``redis-server`` on a free port, no persistence: a stop loses what was queued, as a
    Redis restarted without an append-only file would; the sweeps must make up for it."""

    def __init__(self, workdir: Path) -> None:
        self.port, self.workdir = free_port(), workdir
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        argv = [
            "redis-server",
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(self.workdir),
        ]
        self.proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if self._client().ping():
                    return
            except Exception:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)

    def pending(self) -> int:
        from huey import RedisHuey

        return int(RedisHuey("ruxue", url=self.url).pending_count())

    def _client(self) -> Any:
        import redis

        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=1)


async def jobs_queued(redis: OwnRedis, within: float = 30) -> None:
    """Until a job waits in the queue (bounded)."""
    deadline = time.monotonic() + within
    for _ in range(int(within / 0.05)):
        if await asyncio.to_thread(redis.pending) or time.monotonic() > deadline:
            return
        await asyncio.sleep(0.05)


async def redis_outage(redis: OwnRedis, log: Log, seconds: float = 10) -> bool:
    """Stopped (what is queued is lost with it), started again ``seconds`` later."""
    queued = await asyncio.to_thread(redis.pending)
    await asyncio.to_thread(redis.stop)
    log("Redis stopped", jobs_queued=queued)
    await asyncio.sleep(seconds)
    await asyncio.to_thread(redis.start)
    log("Redis started")
    return True


# --- the archive store: a tmpfs of the run's own, full for a while --------------------------------


@contextmanager
def tmpfs(size: str = "4g") -> Iterator[Path | None]:
    """A tmpfs mounted for the run (None when this machine will not mount one)."""
    path = Path(tempfile.mkdtemp(prefix="ruxue-fault-var-"))
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True
    )
    try:
        yield path if done.returncode == 0 else None
    finally:
        if done.returncode == 0:
            subprocess.run(["umount", "-l", str(path)], capture_output=True)
        path.rmdir()


async def disk_full(var: Path, log: Log, seconds: float = 10) -> bool:
    """The tmpfs holding the archive shrunk to what it holds (no byte free), then grown back."""
    st = os.statvfs(var)
    used_k = max(4, (st.f_blocks - st.f_bfree) * st.f_frsize // 1024)
    total_k = st.f_blocks * st.f_frsize // 1024
    await asyncio.to_thread(_remount, var, f"{used_k}k")
    log(
        "archive store full", used_kb=used_k, free_kb=os.statvfs(var).f_bavail * st.f_frsize // 1024
    )
    await asyncio.sleep(seconds)
    await asyncio.to_thread(_remount, var, f"{total_k}k")
    log("archive store writable")
    return True


def _remount(path: Path, size: str) -> None:
    subprocess.run(
        ["mount", "-o", f"remount,size={size}", str(path)], check=True, capture_output=True
    )


# --- a department that takes the connection and never answers ------------------------------------


async def department_hang(city: City, log: Log, name: str, seconds: float = 30) -> bool:
    async with httpx.AsyncClient(base_url=city.sandbox_url, verify=tls_context()) as http:
        (await http.put(f"/_sandbox/faults/{name}", json={"hang": True})).raise_for_status()
        log(f"department {name} hangs")
        await asyncio.sleep(seconds)
        await http.put(f"/_sandbox/faults/{name}", json={})
        log(f"department {name} answers again")
    return True


# --- the app's database pool exhausted by slow requests -------------------------------------------


async def pool_exhausted(
    city: City, db_url: str, log: Log, seconds: float = 40, burst: int = 60
) -> dict[str, int]:
    """A transaction holds the server-session table locked for ``seconds``; every request that
    reads or writes a session (all of a guardian's, the login start) waits holding its pool
    connection. ``burst`` login starts at once take the pool (20 + 10 overflow) past its end.
    Returns the burst's answers by status."""
    conn = await asyncpg.connect(db_url)
    answers: Counter[str] = Counter()
    try:
        tx = conn.transaction()
        await tx.start()
        await conn.execute("LOCK TABLE web_session IN ACCESS EXCLUSIVE MODE")
        log("sessions locked: slow requests", burst=burst, seconds=seconds)
        async with httpx.AsyncClient(verify=tls_context(), timeout=seconds + 30) as http:

            async def login_start() -> None:
                try:
                    answers[str((await http.get(f"{city.app_url}/auth/login")).status_code)] += 1
                except httpx.HTTPError as exc:
                    answers[type(exc).__name__] += 1

            calls = asyncio.gather(*(login_start() for _ in range(burst)))
            await asyncio.sleep(seconds)
            await tx.rollback()
            log("sessions unlocked")
            await calls
    finally:
        await conn.close()
    log("slow-request burst answered", **answers)
    return dict(answers)


# --- a county system beside the city, its relay killed mid-batch, the city restarted -------------

MID_BATCH = "SELECT count(*) FROM report_outbox WHERE claimed_until IS NOT NULL AND sent_at IS NULL"
CLIENT_ID = "fault-wuzhong"


class County:
    """吴中区 (320506) as a county system of its own (SQLite under the run's directory) that
    reports its cases' stages to the run's city; registered at the city as a report client only
    (no ``enrollment_url``), so the city keeps taking that district's guardians."""

    def __init__(self, city: City, city_db: str, cases: int) -> None:
        self.city, self.city_db, self.cases = city, city_db, cases
        self.dir = city.tmp / "county"
        self.db = self.dir / "ruxue.db"
        self.relay: subprocess.Popen[bytes] | None = None
        self.waves: subprocess.Popen[bytes] | None = None
        self.env: dict[str, str] = {}

    def setup(self) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        secret = asyncio.run(self._register())
        self.env = {
            **self.city.env,
            "RUXUE_VAR_DIR": str(self.dir),
            "RUXUE_DATABASE_URL": f"sqlite+aiosqlite:///{self.db}",
            "RUXUE_QUEUE_URL": f"sqlite:///{self.dir / 'queue.db'}",
            "RUXUE_UPSTREAM_URL": self.city.app_url,
            "RUXUE_UPSTREAM_CLIENT_ID": CLIENT_ID,
            "RUXUE_UPSTREAM_CLIENT_SECRET": secret,
            "RUXUE_COUNTY_DISTRICT": "320506",
            "RUXUE_RELAY_BATCH": "5",
            "RUXUE_RELAY_LEASE_S": "2",
            "RUXUE_RELAY_BACKOFF_S": "0.2",
            "RUXUE_RELAY_MAX_ATTEMPTS": "1000",
        }
        for argv in (["db", "upgrade"], ["schools", "import", str(self.city.dataset)]):
            subprocess.run([*RUXUE, *argv], env=self.env, check=True, capture_output=True)

    async def _register(self) -> str:
        from ruxue.county.schemas import NewClient
        from ruxue.county.service import add_client
        from ruxue.kit.db import Database

        db = Database(self.city_db)
        try:
            async with db.write_session() as session:
                new = NewClient(
                    client_id=CLIENT_ID, name="吴中区（故障演练）", district_code="320506"
                )
                return await add_client(session, new)
        finally:
            await db.dispose()

    def start_relay(self) -> None:
        with (self.city.tmp / "relay.log").open("ab") as out:
            self.relay = subprocess.Popen(
                [*RUXUE, "county", "relay", "--loop", "--interval", "0.05"],
                env=self.env,
                cwd=self.dir,
                stdout=out,
                stderr=out,
            )

    def start_waves(self) -> None:
        """The county's staff move its cases (three waves) while the relay sends."""
        with (self.city.tmp / "county-waves.log").open("ab") as out:
            self.waves = subprocess.Popen(
                [*RUXUE, "county", "demo-cases", "--count", str(self.cases)],
                env=self.env,
                cwd=self.dir,
                stdout=out,
                stderr=out,
            )

    async def mid_batch(self, within: float = 60) -> bool:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if await asyncio.to_thread(self._count, MID_BATCH):
                return True
            await asyncio.sleep(0.005)
        return False

    def _count(self, sql: str) -> int:
        with closing(self._read()) as conn:
            return int(conn.execute(sql).fetchone()[0])

    def _read(self) -> sqlite3.Connection:
        return sqlite3.connect(f"file:{self.db}?mode=ro", uri=True, timeout=5)

    def kill_relay(self) -> None:
        if self.relay is not None:
            self.relay.kill()
            self.relay.wait()

    def stop(self) -> None:
        for proc in (self.relay, self.waves):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                proc.wait(timeout=15)

    def unsent(self) -> int:
        return self._count("SELECT count(*) FROM report_outbox WHERE sent_at IS NULL")

    async def figures(self, city_db_plain: str) -> dict[str, int]:
        """The city must hold exactly one record per (case, stage), at the county's latest
        data version, and the outbox must be empty."""
        conn = await asyncpg.connect(city_db_plain)
        try:
            held = await conn.fetch("select case_no, stage, data_version from case_stage_report")
        finally:
            await conn.close()
        with closing(self._read()) as lite:
            latest = lite.execute(
                "SELECT case_no, stage, max(data_version) FROM report_outbox "
                "GROUP BY case_no, stage"
            ).fetchall()
            rows = lite.execute("SELECT count(*) FROM report_outbox").fetchone()[0]
        expected = {(c, s): v for c, s, v in latest}
        city = Counter((r["case_no"], r["stage"]) for r in held)
        stale = sum(
            1 for r in held if expected.get((r["case_no"], r["stage"])) != r["data_version"]
        )
        twice, missing = sum(n - 1 for n in city.values()), len(expected.keys() - city.keys())
        return {
            "county_cases": self.cases,
            "county_outbox_rows": rows,
            "county_stage_rows_expected": len(expected),
            "county_city_rows": len(held),
            "county_rows_wrong": stale + twice + missing,
            "county_unsent": self.unsent(),
        }
