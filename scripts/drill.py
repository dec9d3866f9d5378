"""The disaster drill (not a test): back up a running system under load, destroy it, restore it to
a point in time, run ``ruxue restore-check``, and count what was lost up to the recovery point.

On this machine, nothing shared is touched: a throwaway PostgreSQL 15 cluster is made with initdb
on a port of its own (WAL archived by ``archive_command``, base backup by ``pg_basebackup``), the
archive library is an S3 stand-in (moto, a bucket with Object Lock), the queue an empty Redis
database (or SQLite when none is free), and the city (sandbox, app, worker) is the one
``bench_flow.running_city`` starts. The signed heads and the seal key live apart from the
database, as docs/operations.md asks of production.

    drill.py [--families 300] [--guardians 30] [--concurrency 5] [--out bench-results/drill.json]

Phases: A (load, then the base backup taken while B's load runs), B (more load, drained: every
decided case filed), the recovery point (heads exported, counts taken, a named restore point, the
WAL switched and archived), C (load after the point: lost by design), the disaster (the cluster
stopped ``immediate`` and its data directory deleted), the restore (base backup + archived WAL up
to the named point, promoted), the check.
"""

import argparse
import asyncio
import contextlib
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import asyncpg
import boto3
import redis
from moto.server import ThreadedMotoServer

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_flow import applicants, drive, free_port, running_city

from ruxue.archive.storage import create_locked_bucket

PG = Path("/usr/lib/postgresql/15/bin")
RUXUE = [sys.executable, "-m", "ruxue.cli.main"]
POINT = "ruxue-drill"
REDIS_DB = 14
DECIDED = "outcome IN ('notice_issued', 'rejected')"


def as_postgres(argv: list[str]) -> list[str]:
    """initdb and the server refuse to run as root: run them as the postgres user."""
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


def run(argv: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, check=True, capture_output=True, text=True, **kwargs)


class Cluster:
    """The throwaway cluster: its data, WAL archive, base backup and socket under one directory."""

    def __init__(self, root: Path, port: int) -> None:
        self.root, self.port = root, port
        self.data, self.wal, self.base = root / "data", root / "wal", root / "base"
        self.url = f"postgresql+asyncpg://postgres@127.0.0.1:{port}/ruxue"
        self.dsn = f"postgresql://postgres@127.0.0.1:{port}/ruxue"

    def init(self) -> None:
        self.wal.mkdir(parents=True)
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
            shutil.chown(self.wal, "postgres", "postgres")
        run(as_postgres([str(PG / "initdb"), "-D", str(self.data), "-U", "postgres",
                         "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]))  # fmt: skip
        archive = f"test ! -f {self.wal}/%f && cp %p {self.wal}/%f"
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(
                f"port = {self.port}\nlisten_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{self.root}'\nwal_level = replica\n"
                f"archive_mode = on\narchive_command = '{archive}'\nmax_wal_senders = 4\n"
                "max_connections = 200\nshared_buffers = 64MB\n"
            )

    def start(self) -> None:
        log = self.root / "postgres.log"
        run(as_postgres([str(PG / "pg_ctl"), "-D", str(self.data), "-l", str(log), "-w", "start"]))

    def stop(self, mode: str = "fast") -> None:
        run(as_postgres([str(PG / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop"]))

    def psql(self, sql: str, db: str = "ruxue") -> str:
        argv = [str(PG / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
                "-d", db, "-Atqc", sql]  # fmt: skip
        return run(argv).stdout.strip()

    def base_backup(self) -> None:
        run(as_postgres([str(PG / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(self.port),
                         "-U", "postgres", "-D", str(self.base), "-X", "stream", "-c", "fast"]))  # fmt: skip

    def restore(self, point: str) -> None:
        """The base backup copied back, recovery from the WAL archive to ``point``, promoted."""
        shutil.copytree(self.base, self.data, symlinks=True)
        if os.geteuid() == 0:
            run(["chown", "-R", "postgres:postgres", str(self.data)])
        with (self.data / "postgresql.auto.conf").open("a") as conf:
            conf.write(
                f"restore_command = 'cp {self.wal}/%f %p'\nrecovery_target_name = '{point}'\n"
                "recovery_target_action = 'promote'\n"
            )
        (self.data / "recovery.signal").touch()
        if os.geteuid() == 0:
            shutil.chown(self.data / "recovery.signal", "postgres", "postgres")
        self.start()
        deadline = time.monotonic() + 300
        while self.psql("SELECT pg_is_in_recovery()", "postgres") != "f":
            if time.monotonic() > deadline:
                raise RuntimeError("recovery did not finish in 300 s")
            time.sleep(0.2)  # polling a condition, bounded by the deadline


async def state(dsn: str) -> dict[str, Any]:
    """What the database holds now: the case numbers, notices and packages, and the log sizes."""
    conn = await asyncpg.connect(dsn)
    try:
        cases = {r[0] for r in await conn.fetch("SELECT case_no FROM enrollment_case")}
        notices = {r[0] for r in await conn.fetch(
            "SELECT notice_no FROM enrollment_case WHERE notice_no IS NOT NULL")}  # fmt: skip
        packages = {r[0] for r in await conn.fetch("SELECT archive_no FROM archive_package")}
        unfiled = await conn.fetchval(
            f"SELECT count(*) FROM enrollment_case c WHERE {DECIDED} AND NOT EXISTS "
            "(SELECT 1 FROM archive_package p WHERE p.case_id = c.id AND p.superseded_at IS NULL)"
        )
        sms = await conn.fetchval("SELECT count(*) FROM notification")
    finally:
        await conn.close()
    return {"cases": cases, "notices": notices, "packages": packages, "unfiled": unfiled,
            "sms": sms}  # fmt: skip


def drained(dsn: str, timeout: float = 600) -> dict[str, Any]:
    """Until every decided case has its package (the worker has filed them)."""
    deadline = time.monotonic() + timeout
    while (now := asyncio.run(state(dsn)))["unfiled"]:
        if time.monotonic() > deadline:
            raise RuntimeError(f"{now['unfiled']} decided cases still without a package")
        time.sleep(1)  # polling a condition, bounded by the deadline
    return now


def load(city: Any, people: list[Any], concurrency: int) -> dict[str, Any]:
    return asyncio.run(drive(city.app_url, city.sandbox_url, people, concurrency))


def s3_stand_in() -> tuple[ThreadedMotoServer, dict[str, str]]:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # not a line per S3 request
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    env = {"AWS_ACCESS_KEY_ID": "drill", "AWS_SECRET_ACCESS_KEY": "drill",
           "AWS_DEFAULT_REGION": "us-east-1"}  # fmt: skip
    os.environ.update(env)
    endpoint = f"http://127.0.0.1:{port}"
    create_locked_bucket(boto3.client("s3", endpoint_url=endpoint), "ruxue-drill")
    return server, {**env, "RUXUE_ARCHIVE_URL": "s3://ruxue-drill",
                    "RUXUE_ARCHIVE_S3_ENDPOINT": endpoint}  # fmt: skip


def queue_env() -> dict[str, str]:
    try:
        client = redis.Redis(db=REDIS_DB)
        if client.dbsize() == 0:
            return {"RUXUE_QUEUE_URL": f"redis://127.0.0.1:6379/{REDIS_DB}"}
    except redis.RedisError:
        pass
    return {}  # the city's SQLite queue


def drill(args: argparse.Namespace) -> dict[str, Any]:
    root = Path(tempfile.mkdtemp(prefix="ruxue-drill-"))
    root.chmod(0o755)
    cluster = Cluster(root / "pg", free_port())
    kept = root / "kept"  # apart from the database: the signed heads and the seal key
    figures: dict[str, Any] = {"families": args.families}
    cluster.init()
    cluster.start()
    cluster.psql("CREATE DATABASE ruxue", "postgres")
    s3, s3_env = s3_stand_in()
    queue = queue_env()
    figures["queue"] = queue.get("RUXUE_QUEUE_URL", "sqlite")
    env = {**s3_env, **queue, "RUXUE_HEADS_PATH": str(kept / "heads"),
           "RUXUE_SEAL_KEY_PATH": str(kept / "keys" / "seal.pem")}  # fmt: skip
    people: list[Any] = []
    try:
        with running_city(args.families, cluster.url, env=env) as city:
            people = applicants(city.dataset, args.guardians * 3)
            n = len(people) // 3
            figures["phase_a"] = load(city, people[:n], args.concurrency)
            # the base backup, taken while phase B's guardians are applying
            backup: dict[str, float] = {}

            def take_backup() -> None:
                started = time.monotonic()
                cluster.base_backup()
                backup["s"] = round(time.monotonic() - started, 1)

            taker = threading.Thread(target=take_backup)
            taker.start()
            figures["phase_b"] = load(city, people[n : 2 * n], args.concurrency)
            taker.join()
            figures["base_backup_s"] = backup["s"]
            point = drained(cluster.dsn)
            run([*RUXUE, "audit", "export-heads"], env=city.env)
            heads_at_point = set((kept / "heads").glob("heads-*.json"))
            cluster.psql(f"SELECT pg_create_restore_point('{POINT}')")
            cluster.psql("SELECT pg_switch_wal()")
            figures["at_recovery_point"] = {k: len(v) for k, v in point.items()
                                            if isinstance(v, set)}  # fmt: skip
            figures["phase_c"] = load(city, people[2 * n :], args.concurrency)
            after = drained(cluster.dsn)
            figures["at_disaster"] = {k: len(v) for k, v in after.items() if isinstance(v, set)}
            archived = cluster.psql("SELECT last_archived_wal FROM pg_stat_archiver")
            figures["last_archived_wal"] = archived
        # the disaster: the cluster dies, its data directory is gone
        cluster.stop("immediate")
        shutil.rmtree(cluster.data)
        started = time.monotonic()
        cluster.restore(POINT)
        figures["restore_s"] = round(time.monotonic() - started, 1)
        restored = asyncio.run(state(cluster.dsn))
        # heads the worker exported after the point (every 15 minutes) describe records the
        # restore left out on purpose: set aside, as an operator restoring to a point does
        later = set((kept / "heads").glob("heads-*.json")) - heads_at_point
        for path in later:
            path.rename(kept / f"after-point-{path.name}")
        figures["heads_after_point_set_aside"] = len(later)
        check_env = {**os.environ, **city.env}
        started = time.monotonic()
        check = subprocess.run([*RUXUE, "restore-check"], env=check_env, capture_output=True,
                               text=True)  # fmt: skip
        figures["restore_check_s"] = round(time.monotonic() - started, 1)
        figures["restore_check_exit"] = check.returncode
        figures["restore_check_output"] = (check.stdout + check.stderr).strip().splitlines()[-6:]
        figures["restored"] = {k: len(v) for k, v in restored.items() if isinstance(v, set)}
        figures["lost_up_to_recovery_point"] = {
            k: len(point[k] - restored[k]) for k in ("cases", "notices", "packages")
        }
        figures["after_recovery_point_not_restored"] = {
            k: len(after[k] - restored[k]) for k in ("cases", "notices", "packages")
        }
        figures["packages_in_library_beyond_point"] = len(after["packages"] - restored["packages"])
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            cluster.stop("fast")
        s3.stop()
        if queue:
            redis.Redis(db=REDIS_DB).flushdb()
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--families", type=int, default=300)
    parser.add_argument("--guardians", type=int, default=30, help="per phase (A, B, C)")
    parser.add_argument("--concurrency", type=int, default=5)
    parser.add_argument("--out", type=Path, default=Path("bench-results/drill.json"))
    parser.add_argument("--keep", action="store_true", help="keep the drill's directory")
    args = parser.parse_args()
    started = time.monotonic()
    figures = drill(args)
    figures["drill_s"] = round(time.monotonic() - started, 1)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(figures, ensure_ascii=False, indent=1))
    print(json.dumps(figures, ensure_ascii=False, indent=1))
    lost = sum(figures["lost_up_to_recovery_point"].values())
    sys.exit(1 if lost or figures["restore_check_exit"] else 0)


if __name__ == "__main__":
    main()
