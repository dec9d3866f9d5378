"""Faults during the peak: guardians go through the whole online flow (bench_flow's driver) while
the app and the worker are SIGKILLed (the app while a submission is in flight, the worker while
an archive package is being built), PostgreSQL is stopped for ten seconds and departments are
switched off and on through the sandbox's fault API. Guardians whose flow broke come back later
and resume (log in again, re-enter their draft). Then the run waits for the sweeps and counts:

- every guardian's case is decided for good, or still resumable (a draft, or waiting for staff);
  a case lost (a guardian told "submitted" whose case is not decided, or no case and no way on)
  must be 0;
- every decided case has exactly one document event (notice or rejection), exactly one archive
  package whose directory matches its recorded digest, and every SMS reached the gateway once.

    fault_run.py [--applicants N] [--families N] [--concurrency C] [--database-url URL]
                 [--queue-url URL] [--no-db-outage] [--out F]

Without --database-url a PostgreSQL database is created at 127.0.0.1:5432 (trust auth) and
dropped afterwards. The PostgreSQL outage stops the whole server (``pg_ctlcluster``): every other
client on the machine loses its connections for those ten seconds.
"""

import argparse
import asyncio
import datetime as dt
import hashlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import asyncpg
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_flow import City, Timer, applicants, one, running_city

from ruxue.kit.http import tls_context

PG = "postgresql://postgres@127.0.0.1:5432"
FINAL = ("notice_issued", "rejected")
WAITING = ("needs_materials", "manual_review")  # submitted, a person decides next


class SmsSink(ThreadingHTTPServer):
    """The SMS gateway for this run: it keeps every message it was given (the sandbox keeps the
    last 500 only), so a message sent twice is seen."""

    def __init__(self) -> None:
        self.received: list[tuple[str, str]] = []
        super().__init__(("127.0.0.1", 0), _SmsHandler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/sms"


class _SmsHandler(BaseHTTPRequestHandler):
    server: SmsSink

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["content-length"])))
        self.server.received.append((body["phone"], body["text"]))
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"status": "sent"}')

    def log_message(self, *args: Any) -> None:
        pass


class Log:
    """What the run did and when (seconds since the start)."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.events: list[dict[str, Any]] = []

    def __call__(self, what: str, **detail: Any) -> None:
        at = round(time.monotonic() - self.started, 1)
        utc = dt.datetime.now(dt.UTC).strftime("%H:%M:%S")
        self.events.append({"t": at, "utc": utc, "what": what, **detail})
        print(f"[{at:7.1f}s] {what} {detail if detail else ''}", file=sys.stderr, flush=True)


class Watched(Timer):
    """bench_flow's timer, which also tells the chaos when a submission is in flight."""

    def __init__(self) -> None:
        super().__init__()
        self.submitting = 0
        self.submit_started = asyncio.Event()

    async def step(self, name: str, call: Any, allow: int = 0) -> httpx.Response:
        if name != "6-submit":
            return await super().step(name, call, allow)
        self.submitting += 1
        self.submit_started.set()
        try:
            return await super().step(name, call, allow)
        finally:
            self.submitting -= 1


# --- the faults ---------------------------------------------------------------------------------


def kill(city: City, name: str, log: Log, why: str) -> None:
    city.procs[name].send_signal(signal.SIGKILL)
    log(f"SIGKILL {name}", why=why)
    city.restart(name)
    log(f"restarted {name}")


async def kill_app_during_submission(city: City, t: Watched, log: Log) -> None:
    t.submit_started.clear()
    while not t.submitting:
        await t.submit_started.wait()
        t.submit_started.clear()
    await asyncio.sleep(0.005)  # the request has left the client: the app is handling it
    kill(city, "app", log, f"{t.submitting} submission(s) in flight")


async def kill_worker_during_build(city: City, log: Log, within: float = 120) -> bool:
    scratch = city.tmp / "var" / "archive-build"

    def scratch_dirs() -> set[Path]:
        return set(scratch.glob(".tmp-*")) if scratch.is_dir() else set()

    left_over = scratch_dirs()  # a build killed earlier leaves its directory for an hour
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        building = sorted(scratch_dirs() - left_over)
        if building:
            kill(city, "worker", log, f"building {building[0].name}")
            return True
        await asyncio.sleep(0.01)
    log("no archive build seen to kill the worker in")
    return False


def postgres(action: str) -> None:
    subprocess.run(["pg_ctlcluster", "15", "main", action, *(["-m", "fast"] if action == "stop" else [])],
                   check=True, capture_output=True)  # fmt: skip


async def postgres_outage(log: Log, seconds: float = 10) -> None:
    await asyncio.to_thread(postgres, "stop")
    log("PostgreSQL stopped")
    await asyncio.sleep(seconds)
    await asyncio.to_thread(postgres, "start")
    log("PostgreSQL started")


async def department(city: City, log: Log, name: str, seconds: float, **fault: Any) -> None:
    async with httpx.AsyncClient(base_url=city.sandbox_url, verify=tls_context()) as http:
        (await http.put(f"/_sandbox/faults/{name}", json=fault)).raise_for_status()
        log(f"department {name} off", **fault)
        await asyncio.sleep(seconds)
        await http.put(f"/_sandbox/faults/{name}", json={})
        log(f"department {name} on")


async def chaos(city: City, t: Watched, log: Log, db_outage: bool, counts: Counter[str]) -> None:
    """The schedule: faults one after another while the guardians keep coming."""
    await asyncio.sleep(8)
    await kill_app_during_submission(city, t, log)
    counts["app_kills"] += 1
    await asyncio.sleep(5)
    counts["worker_kills"] += await kill_worker_during_build(city, log)
    await asyncio.sleep(3)
    await department(city, log, "police", 10, outage=True)
    await department(city, log, "property", 10, error_rate=0.5, latency_ms=200)
    counts["department_outages"] += 2
    if db_outage:
        await postgres_outage(log)
        counts["postgres_outages"] += 1
    await asyncio.sleep(5)
    await kill_app_during_submission(city, t, log)
    counts["app_kills"] += 1
    counts["worker_kills"] += await kill_worker_during_build(city, log)
    await asyncio.sleep(2)
    await kill_app_during_submission(city, t, log)
    counts["app_kills"] += 1


# --- the guardians ------------------------------------------------------------------------------


async def wait_healthy(city: City, within: float = 120) -> None:
    deadline = time.monotonic() + within
    async with httpx.AsyncClient(verify=tls_context(), timeout=5) as http:
        while time.monotonic() < deadline:
            try:
                if (await http.get(f"{city.app_url}/healthz")).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.2)
    raise RuntimeError("the app did not come back")


async def send(
    city: City, people: list[Any], t: Watched, concurrency: int, told: dict[str, str]
) -> dict[str, str]:
    """One pass over ``people``; returns guardian -> error for those whose flow broke, and notes
    in ``told`` the outcome each finished guardian was given."""
    queue: asyncio.Queue[Any] = asyncio.Queue()
    for who in people:
        queue.put_nowait((who, 1))
    broken: dict[str, str] = {}
    async with httpx.AsyncClient(
        base_url=city.sandbox_url, timeout=30, verify=tls_context()
    ) as sandbox:

        async def guardian() -> None:
            while not queue.empty():
                who, attempt = queue.get_nowait()
                try:
                    told[who[1]] = await one(city.app_url, sandbox, t, who)
                    broken.pop(who[1], None)
                except Exception as exc:  # a fault did this: the guardian comes back later
                    broken[who[1]] = f"{type(exc).__name__}: {exc}"[:160]
                    if attempt < 3:  # soon, once the app answers (a person would retry too)
                        await asyncio.sleep(2)
                        await wait_healthy(city)
                        queue.put_nowait((who, attempt + 1))

        await asyncio.gather(*(guardian() for _ in range(concurrency)))
    return broken


async def run(city: City, people: list[Any], args: argparse.Namespace, log: Log) -> dict[str, Any]:
    t, counts, told = Watched(), Counter[str](), {}
    log("guardians sent", count=len(people))
    faults = asyncio.create_task(chaos(city, t, log, not args.no_db_outage, counts))
    broken = await send(city, people, t, args.concurrency, told)
    if not faults.done():  # the guardians were done first: the rest of the schedule is skipped
        faults.cancel()
        log("fault schedule cut short: no guardian left")
    log("first pass done", broken=len(broken))
    first_errors = Counter(e.split(":")[0] + ":" + e.split(":")[1][:40] for e in broken.values())
    rounds = 0
    while broken and rounds < args.resume_rounds:
        rounds += 1
        await asyncio.sleep(65)  # the spouse code's one-a-minute limit per case
        await wait_healthy(city)
        again = [p for p in people if p[1] in broken]
        broken = await send(city, again, t, args.concurrency, told)
        log(f"resume round {rounds}", resumed=len(again), still_broken=len(broken))
    return {"counts": dict(counts), "told": told, "broken": broken, "resume_rounds": rounds,
            "first_pass_errors": dict(first_errors.most_common(8))}  # fmt: skip


# --- the audit ----------------------------------------------------------------------------------


async def settle(db_url: str, log: Log, within: float) -> None:
    """Wait for the sweeps: every decided case filed, no SMS pending (bounded)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        conn = await asyncpg.connect(db_url)
        try:
            unfiled = await conn.fetchval(
                "select count(*) from enrollment_case c where c.status = any($1::text[]) and not "
                "exists (select 1 from archive_package p where p.case_id = c.id)",
                list(FINAL),
            )
            pending = await conn.fetchval(
                "select count(*) from notification where status = 'pending' and attempts < 10"
            )
        finally:
            await conn.close()
        if not unfiled and not pending:
            log("settled")
            return
        log("waiting for the sweeps", unfiled=unfiled, sms_pending=pending)
        await asyncio.sleep(15)
    log("did not settle in time")


async def audit(db_url: str, city: City, people: list[Any], told: dict[str, str],
                sink: SmsSink) -> dict[str, Any]:  # fmt: skip
    from ruxue.kit import pii  # the app's keys: the same environment
    from ruxue.settings import get_settings

    get_settings.cache_clear()
    pii.configure(get_settings())

    conn = await asyncpg.connect(db_url)
    try:
        cases = await conn.fetch("select id, case_no, status, child_index from enrollment_case")
        docs = Counter(r["case_id"] for r in await conn.fetch(
            "select case_id from case_event where action in ('notice_issued', 'rejection_issued')"))  # fmt: skip
        decides = Counter(r["case_id"] for r in await conn.fetch(
            "select case_id from case_event where action = 'decide'"))  # fmt: skip
        packages = await conn.fetch(
            "select case_id, archive_no, location, digest from archive_package"
        )
        notes = await conn.fetch("select case_no, text, status, attempts from notification")
    finally:
        await conn.close()
    by_child = {r["child_index"]: r for r in cases}
    final_ids = {r["id"] for r in cases if r["status"] in FINAL}
    status = Counter(r["status"] for r in cases)
    lost, unresolved = [], []
    for _, child, _ in people:
        case = by_child.get(pii.blind_index(child))
        if child in told and (case is None or case["status"] in ("draft", "withdrawn")):
            lost.append(child[:6])  # told "submitted", yet nothing decided
        elif case is None:
            unresolved.append(child[:6])  # never got a case: may start again (resumable)
    per_case_pkg = Counter(p["case_id"] for p in packages)
    bad_digest = [p["archive_no"] for p in packages if not _digest_matches(p)]
    sms_sent = Counter(text for _, text in sink.received if "【入学一件事】" in text)
    queued = Counter((n["case_no"], n["text"]) for n in notes)
    return {
        "guardians": len(people),
        "cases": len(cases),
        "status": dict(status),
        "decided": len(final_ids),
        "resumable_drafts": status["draft"],
        "waiting_for_staff": sum(status[s] for s in WAITING),
        "no_case_yet": len(unresolved),
        "lost": len(lost),
        "decided_without_document": sum(1 for i in final_ids if docs[i] == 0),
        "duplicate_documents": sum(1 for i in final_ids if docs[i] > 1),
        "duplicate_decide_events": sum(1 for n in decides.values() if n > 1),
        "decided_without_package": sum(1 for i in final_ids if per_case_pkg[i] == 0),
        "duplicate_packages": sum(1 for n in per_case_pkg.values() if n > 1),
        "library_dirs_vs_packages": [_library_count(city), len(packages)],
        "package_digest_mismatch": len(bad_digest),
        "leftover_scratch_dirs": len(list((city.tmp / "var" / "archive-build").glob(".tmp-*"))),
        "sms_queued": len(notes),
        "sms_queued_twice": sum(1 for n in queued.values() if n > 1),
        "sms_received": sum(sms_sent.values()),
        "sms_received_twice": sum(1 for n in sms_sent.values() if n > 1),
        "sms_not_sent": sum(1 for n in notes if n["status"] != "sent"),
    }


def _digest_matches(package: Any) -> bool:
    manifest = Path(package["location"]) / "tagmanifest-sha256.txt"
    return (
        manifest.is_file()
        and hashlib.sha256(manifest.read_bytes()).hexdigest() == package["digest"]
    )


def _library_count(city: City) -> int:
    library = city.tmp / "var" / "archive"
    return (
        sum(1 for p in library.iterdir() if p.is_dir() and not p.name.startswith("."))
        if library.is_dir()
        else 0
    )


# --- the run ------------------------------------------------------------------------------------


@contextmanager
def database(url: str) -> Iterator[str]:
    """The given database, or a fresh one created for the run and dropped after it."""
    if url:
        yield url
        return
    name = f"ruxue_fault_{os.getpid()}"
    admin = f"{PG}/postgres"
    asyncio.run(_admin(admin, f'create database "{name}"'))
    try:
        yield f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
    finally:
        asyncio.run(_admin(admin, f'drop database if exists "{name}" with (force)'))


async def _admin(url: str, sql: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def redis_queue(url: str) -> str:
    """A Redis database with nothing in it (the queue of this run only), or "" for none."""
    if url:
        return url
    try:
        import redis

        for n in range(15, 7, -1):
            if redis.Redis(host="127.0.0.1", port=6379, db=n).dbsize() == 0:
                return f"redis://127.0.0.1:6379/{n}"
    except Exception:
        return ""
    return ""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--families", type=int, default=3000)
    parser.add_argument("--applicants", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--queue-url", default="", help="redis://…; default: an empty Redis db")
    parser.add_argument("--no-db-outage", action="store_true")
    parser.add_argument("--resume-rounds", type=int, default=4)
    parser.add_argument("--settle-seconds", type=float, default=720)  # grace 5 min + sweep 5 min
    parser.add_argument("--out", default="")
    args = parser.parse_args()
    log, sink = Log(), SmsSink()
    threading.Thread(target=sink.serve_forever, daemon=True).start()
    queue_url = redis_queue(args.queue_url)
    with database(args.database_url) as db_url:
        env = {"RUXUE_SMS_URL": sink.url, **({"RUXUE_QUEUE_URL": queue_url} if queue_url else {})}
        with running_city(args.families, db_url, env=env) as city:
            os.environ.update({k: v for k, v in city.env.items() if k.startswith("RUXUE_")})
            people = applicants(city.dataset, args.applicants)
            outcome = asyncio.run(run(city, people, args, log))
            plain = db_url.replace("+asyncpg", "")
            asyncio.run(settle(plain, log, args.settle_seconds))
            figures = asyncio.run(audit(plain, city, people, outcome["told"], sink))
            for name in ("app", "worker"):
                tail = (city.tmp / f"{name}.log").read_text(errors="replace").splitlines()
                figures[f"{name}_log_errors"] = sum(" error" in line.lower() for line in tail)
    figures = {"run": "faults", "at": dt.datetime.now().isoformat(timespec="seconds"),
               "database": "postgresql", "queue": queue_url or "sqlite", "families": args.families,
               "concurrency": args.concurrency, "faults": outcome["counts"],
               "resume_rounds": outcome["resume_rounds"], "broken_after_resume": len(outcome["broken"]),
               "first_pass_errors": outcome["first_pass_errors"], **figures, "timeline": log.events}  # fmt: skip
    if args.out:
        Path(args.out).write_text(json.dumps(figures, ensure_ascii=False, indent=1))
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
