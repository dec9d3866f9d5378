"""The load generator of the peak-day runs: guardians through the whole online flow over real
HTTP (aiohttp), as its own process, against an app and a sandbox already running.

Each guardian logs in at the sandbox's identity platform, consents and has the data fetched,
gives the spouse's code (or declares a single parent), runs the checks, chooses the residence,
confirms the materials, submits, then fetches the notice (the PDF, or the status while staff
decide) and rates the decided case. Two ways of sending them:

- ``--mode open`` (default): applications *started* at ``--rate`` per second (Poisson arrivals)
  for ``--duration`` seconds, whether or not earlier ones have finished — a slow app shows as
  growing latency and in-flight count, not as a politely slower generator;
- ``--mode closed``: ``--concurrency`` guardians, each starting the next application when the
  last one ends, for ``--duration`` seconds or ``--applicants`` applications.

Before the flow, a *ceiling run*: the same client against ``/healthz`` for ``--ceiling-seconds``,
so the flow's requests/s can be put against what the app serves at all. While the flow runs, the
archive queue (decided cases without a package), the county outbox (unsent rows), the integrity
ledger's digests not yet chained and the task queue are sampled every ``--sample-every`` seconds
from the app's database (and Redis); after it, the generator waits (bounded) for the three to
drain and counts decided cases lacking their package.

Prints one JSON object (also written to ``--out``) with completed applications/s, requests/s,
p50/p95/p99 per step, errors by kind, the generator's own CPU and the queue depths over time.

    loadgen.py --app-url URL --sandbox-url URL --dataset city.json [--database-url URL]
               [--queue-url redis://…] [--mode open|closed] [--rate R] [--duration S]
               [--concurrency C] [--applicants N] [--latency-ms 100] [--ceiling-seconds S]
               [--drain-seconds S] [--out F]
"""

import argparse
import asyncio
import html
import json
import os
import random
import re
import resource
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import msgspec
import uvloop
from yarl import URL

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_flow import Watched, applicants

from ruxue.dataset.schemas import Dataset
from ruxue.exchange.envelope import DEPARTMENTS
from ruxue.rating import rules as rating_rules
from ruxue.sandbox.idp import phone_of

FIELD = r'name="{}" value="([^"]+)"'
DECIDED = ("notice_issued", "rejected")
# a notice not sealed by its job within the app's bound (RUXUE_NOTICE_RENDER_AFTER_S, 60 s) is
# sealed by the download; a family still without it after this long is an error of the run
NOTICE_WAIT_S = 180.0
SQL_UNFILED = (
    "select count(*) from enrollment_case c where c.status in ('notice_issued', 'rejected') "
    "and not exists (select 1 from archive_package p where p.case_id = c.id)"
)
SQL_OUTBOX = "select count(*) from report_outbox where sent_at is null and dead_at is null"
SQL_OUTBOX_DEAD = "select count(*) from report_outbox where dead_at is not null"
SQL_LEDGER_PENDING = "select count(*) from integrity_pending"
SQL_DECIDED = "select count(*) from enrollment_case where status in ('notice_issued', 'rejected')"


class StepFailed(Exception):
    """A step answered with an unexpected status (or an unusable body)."""

    def __init__(self, step: str, kind: str, detail: str = "") -> None:
        super().__init__(f"{step}: {kind} {detail}".strip())
        self.step, self.kind = step, kind


@dataclass
class Stats:
    """What the run measured; one instance per run, shared by every guardian."""

    samples: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: Counter[str] = field(default_factory=Counter)
    first_errors: list[str] = field(default_factory=list)
    outcomes: Counter[str] = field(default_factory=Counter)
    app_requests: int = 0
    notice_polls: int = 0  # a notice asked again after a 202 (its job had not made it yet)
    sandbox_requests: int = 0
    started: int = 0
    completed: int = 0
    failed: int = 0
    in_flight: int = 0
    not_started: int = 0  # open loop: arrivals refused because --max-in-flight was reached

    def error(self, kind: str, detail: str) -> None:
        self.errors[kind] += 1
        if len(self.first_errors) < 5:
            self.first_errors.append(detail[:240])


def percentile(ordered: list[float], q: float) -> float:
    """The nearest-rank percentile of an ordered list."""
    if not ordered:
        return 0.0
    rank = max(1, -(-len(ordered) * q // 100))  # ceil(n * q / 100)
    return ordered[int(rank) - 1]


def step_table(samples: dict[str, list[float]]) -> dict[str, dict[str, float]]:
    out = {}
    for name, values in sorted(samples.items()):
        ordered = sorted(values)
        out[name] = {
            "n": len(ordered),
            "p50_ms": round(percentile(ordered, 50), 1),
            "p95_ms": round(percentile(ordered, 95), 1),
            "p99_ms": round(percentile(ordered, 99), 1),
            "max_ms": round(ordered[-1], 1) if ordered else 0.0,
        }
    return out


class Guardian:
    """One guardian's browser: its own cookie jar over the run's shared connection pool."""

    def __init__(self, run: "Run", who: tuple[str, str, str | None]) -> None:
        self.run, self.who = run, who
        self.http = aiohttp.ClientSession(
            base_url=run.app_url,
            connector=run.connector,
            connector_owner=False,
            cookie_jar=aiohttp.CookieJar(unsafe=True),  # unsafe: cookies of a 127.0.0.1 host
            timeout=run.timeout,
        )

    async def step(
        self, name: str, method: str, path: str | URL, allow: tuple[int, ...] = (), **kw: Any
    ) -> tuple[int, Any]:
        """One request of the flow, timed under ``name``; JSON answers are decoded."""
        status, body, _ = await self.request(name, method, path, allow, **kw)
        return status, body

    async def notice(self, path: str) -> None:
        """The notice as the family's app fetches it: the first answer timed as ``7-notice``;
        while it is 202 ("being prepared": the job has not sealed it yet) asked again after its
        ``Retry-After`` (each poll timed as ``7-notice-poll``, counted in ``notice_polls``),
        and the wait from the first request to the PDF timed as ``7-notice-ready``."""
        started = time.perf_counter()
        status, _, headers = await self.request("7-notice", "GET", path)
        while status == 202:
            if time.perf_counter() - started > NOTICE_WAIT_S:
                raise StepFailed("7-notice-ready", "timeout", f"no PDF after {NOTICE_WAIT_S} s")
            await asyncio.sleep(float(headers.get("Retry-After") or 1))
            self.run.stats.notice_polls += 1
            status, _, headers = await self.request("7-notice-poll", "GET", path)
        self.run.stats.samples["7-notice-ready"].append((time.perf_counter() - started) * 1000)

    async def request(
        self, name: str, method: str, path: str | URL, allow: tuple[int, ...] = (), **kw: Any
    ) -> tuple[int, Any, dict[str, str]]:
        """``step`` with the answer's headers."""
        started = time.perf_counter()
        self.run.stats.app_requests += 1
        try:
            async with self.http.request(method, path, allow_redirects=False, **kw) as response:
                body = await response.read()
                status = response.status
                kind = response.content_type
                headers = dict(response.headers)
        except TimeoutError as exc:
            raise StepFailed(name, "timeout") from exc
        except aiohttp.ClientError as exc:
            raise StepFailed(name, type(exc).__name__, str(exc)[:120]) from exc
        self.run.stats.samples[name].append((time.perf_counter() - started) * 1000)
        if status >= 400 and status not in allow:
            raise StepFailed(name, f"http {status}", body[:200].decode("utf-8", "replace"))
        return status, json.loads(body) if kind == "application/json" else body, headers

    async def sandbox(
        self, method: str, path: str | URL, step: str = "login", **kw: Any
    ) -> tuple[int, str, dict[str, str]]:
        self.run.stats.sandbox_requests += 1
        try:
            async with self.run.sandbox.request(
                method, path, allow_redirects=False, **kw
            ) as response:
                return response.status, await response.text(), dict(response.headers)
        except TimeoutError as exc:
            raise StepFailed(step, "timeout (sandbox)") from exc
        except aiohttp.ClientError as exc:
            raise StepFailed(step, f"{type(exc).__name__} (sandbox)") from exc

    async def login(self) -> None:
        guardian = self.who[0]
        started = time.perf_counter()
        _, _, headers = await self._app_redirect("/auth/login")
        if "Location" not in headers:
            raise StepFailed("login", "no redirect to the identity platform")
        _, page, _ = await self.sandbox("GET", URL(headers["Location"], encoded=True))
        query = html.unescape(_field(page, "query"))
        _, sent, _ = await self.sandbox(
            "POST", "/idp/authorize/sms", data={"query": query, "id_number": guardian}
        )
        shown = re.search(r'<strong id="otp">(\d{6})</strong>', sent)
        if shown is None:
            raise StepFailed("login", "identity platform refused", sent[-200:])
        txn = html.unescape(_field(sent, "txn"))
        _, _, back = await self.sandbox(
            "POST", "/idp/authorize/verify", data={"query": query, "txn": txn, "code": shown[1]}
        )
        if "Location" not in back:
            raise StepFailed("login", "identity platform did not send back")
        # the app's callback (code for tokens at the platform, the session) on its own, and
        # the whole login, the platform's pages included
        await self.step("login-callback", "GET", URL(back["Location"], encoded=True))
        self.run.stats.samples["login"].append((time.perf_counter() - started) * 1000)

    async def _app_redirect(self, path: str) -> tuple[int, str, dict[str, str]]:
        """The app's ``/auth/login`` (a redirect to the platform), timed as ``login-start``."""
        started = time.perf_counter()
        self.run.stats.app_requests += 1
        try:
            async with self.http.get(path, allow_redirects=False) as response:
                answer = response.status, await response.text(), dict(response.headers)
        except TimeoutError as exc:
            raise StepFailed("login-start", "timeout") from exc
        except aiohttp.ClientError as exc:
            raise StepFailed("login-start", type(exc).__name__, str(exc)[:120]) from exc
        self.run.stats.samples["login-start"].append((time.perf_counter() - started) * 1000)
        return answer

    async def codes(self, phone: str) -> list[str]:
        """The codes in ``phone``'s SMS inbox at the sandbox, newest first."""
        _, text, _ = await self.sandbox(
            "GET", "/_sandbox/sms", step="2-spouse-code", params={"phone": phone}
        )
        found = (re.search(r"验证码(?:为)?(\d{6})", m["text"]) for m in json.loads(text))
        return [f.group(1) for f in found if f]

    async def spouse_code(self, no: str, spouse: str) -> tuple[str, str]:
        """The spouse's code requested and read from their inbox: (txn, code). Twins' cases
        ask the same spouse at once, so a phone's codes are requested one at a time and the
        code taken is the first one that was not in the inbox before."""
        phone = phone_of(spouse)
        async with self.run.phone_locks[phone]:
            seen = set(await self.codes(phone))
            _, sent = await self.step(
                "2-spouse-code",
                "POST",
                f"/api/v1/cases/{no}/spouse/code",
                json={"spouse_id_number": spouse},
            )
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                if new := [c for c in await self.codes(phone) if c not in seen]:
                    return sent["txn"], new[0]
                await asyncio.sleep(0.05)  # written by the app's process: poll, bounded
        raise StepFailed("2-spouse-verify", "no SMS code")

    async def apply(self) -> str:
        """The whole flow; returns the case's status at the end."""
        _, child, spouse = self.who
        started = time.perf_counter()
        await self.login()
        body = {"segment": "primary", "child_id_number": child, "consent": True}
        _, case = await self.step("1-consent+fetch", "POST", "/api/v1/cases", json=body)
        no = case["case_no"]
        if spouse:
            txn, code = await self.spouse_code(no, spouse)
            await self.step(
                "2-spouse-verify",
                "POST",
                f"/api/v1/cases/{no}/spouse",
                json={"spouse_id_number": spouse, "txn": txn, "code": code},
            )
        else:
            await self.step("2-single-parent", "POST", f"/api/v1/cases/{no}/single-parent")
        await self.step("3-checks", "POST", f"/api/v1/cases/{no}/checks")
        _, homes = await self.step("4-residences", "GET", f"/api/v1/cases/{no}/residences")
        await self.step(
            "4-choose",
            "POST",
            f"/api/v1/cases/{no}/residence",
            json={"cert_no": homes.get("suggested")},
        )
        await self.step("5-materials", "POST", f"/api/v1/cases/{no}/materials/done")
        _, done = await self.step("6-submit", "POST", f"/api/v1/cases/{no}/submit")
        self.run.stats.samples["whole-to-submit"].append((time.perf_counter() - started) * 1000)
        state = str(done["status"])
        if state == "notice_issued":
            await self.notice(f"/api/v1/cases/{no}/notice.pdf")
        elif state == "rejected":
            await self.notice(f"/api/v1/cases/{no}/rejection.pdf")
        else:  # staff decide next: the guardian looks at the status
            await self.step("7-status", "GET", f"/api/v1/cases/{no}")
        if state in DECIDED:
            await self.step("8-rating", "POST", f"/api/v1/cases/{no}/rating", json=self.run.rating)
        self.run.stats.samples["whole"].append((time.perf_counter() - started) * 1000)
        return state

    async def close(self) -> None:
        await self.http.close()


def _field(page: str, name: str) -> str:
    found = re.search(FIELD.format(name), page)
    if found is None:
        raise StepFailed("login", f"no {name} on the identity platform's page")
    return found.group(1)


# uvicorn closes a keep-alive connection idle for 5 s (its timeout_keep_alive); a client keeping
# it longer (aiohttp: 15 s) sends on a connection the server is closing and gets "connection
# reset by peer", an error of the generator, not of the app. Idle connections are dropped sooner.
KEEPALIVE_S = 2.0


def pool(connections: int) -> aiohttp.TCPConnector:
    return aiohttp.TCPConnector(limit=connections, keepalive_timeout=KEEPALIVE_S)


class Run:
    """The shared clients and the figures of one invocation."""

    def __init__(self, app_url: str, sandbox_url: str, connections: int, timeout_s: float) -> None:
        self.app_url, self.sandbox_url = app_url, sandbox_url
        self.stats = Stats()
        self.phone_locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        self.timeout = aiohttp.ClientTimeout(total=timeout_s)
        # one pool of keep-alive connections to the app for every guardian (a browser each
        # would open its own; the app's per-connection cost is not what is measured here);
        # no limit by default, so a request never waits here for a connection: the latency
        # measured is the stack's, not a queue in the generator
        self.connector = pool(connections)
        self.sandbox = aiohttp.ClientSession(
            base_url=sandbox_url,
            connector=pool(connections),
            cookie_jar=aiohttp.DummyCookieJar(),
            timeout=self.timeout,
        )
        online = rating_rules.settings().indicators["online"]
        self.rating = {"level": 5, "indicators": dict.fromkeys(online, 5), "comment": ""}

    async def one(self, who: tuple[str, str, str | None]) -> None:
        s = self.stats
        s.started += 1
        s.in_flight += 1
        guardian = Guardian(self, who)
        try:
            s.outcomes[await guardian.apply()] += 1
            s.completed += 1
        except StepFailed as exc:
            s.failed += 1
            s.error(f"{exc.step}: {exc.kind}", str(exc))
        except Exception as exc:  # counted by kind; the run goes on
            s.failed += 1
            s.error(f"unexpected: {type(exc).__name__}", f"{type(exc).__name__}: {exc}")
        finally:
            s.in_flight -= 1
            await guardian.close()

    async def close(self) -> None:
        await self.sandbox.close()
        await self.connector.close()


# --- the ways of sending guardians ---------------------------------------------------------------


async def open_loop(
    run: Run, people: list[Any], rate: float, duration: float, max_in_flight: int, seed: int
) -> float:
    """Start applications at ``rate``/s (Poisson arrivals) for ``duration`` s; returns the time
    the last one ended. Arrivals beyond ``max_in_flight`` are counted, not started."""
    rng, tasks = random.Random(seed), set()
    started = time.perf_counter()
    at, index = 0.0, 0
    while index < len(people):
        at += rng.expovariate(rate)
        if at >= duration:
            break
        delay = started + at - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        if run.stats.in_flight >= max_in_flight:
            run.stats.not_started += 1
            continue
        task = asyncio.create_task(run.one(people[index]))
        index += 1
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    if index == len(people):
        print(f"loadgen: ran out of applicants after {index}", file=sys.stderr)
    if tasks:
        await asyncio.gather(*tasks)
    return time.perf_counter()


async def closed_loop(run: Run, people: list[Any], concurrency: int, duration: float) -> float:
    """``concurrency`` guardians one after another until ``duration`` s or no applicant is left."""
    queue = iter(people)
    deadline = time.perf_counter() + duration

    async def guardian() -> None:
        for who in queue:  # one shared iterator: each applicant once
            if time.perf_counter() >= deadline:
                return
            await run.one(who)

    await asyncio.gather(*(guardian() for _ in range(concurrency)))
    return time.perf_counter()


async def ceiling(app_url: str, connections: int, seconds: float) -> dict[str, Any]:
    """The same client against ``/healthz`` as fast as it goes for ``seconds``."""
    count, errors = 0, 0
    async with aiohttp.ClientSession(base_url=app_url, connector=pool(connections)) as http:
        deadline = time.perf_counter() + seconds

        async def hammer() -> None:
            nonlocal count, errors
            while time.perf_counter() < deadline:
                try:
                    async with http.get("/healthz") as response:
                        await response.read()
                        count += response.status == 200
                        errors += response.status != 200
                except aiohttp.ClientError:
                    errors += 1

        started = time.perf_counter()
        await asyncio.gather(*(hammer() for _ in range(connections)))
        wall = time.perf_counter() - started
    return {
        "seconds": round(wall, 1),
        "connections": connections,
        "requests_per_s": round(count / wall, 1),
        "errors": errors,
    }


# --- the queues ------------------------------------------------------------------------------------


class Depths:
    """The archive queue, the county outbox, the integrity ledger's pending digests and the task
    queue, read from the app's stores."""

    def __init__(self, database_url: str, queue_url: str) -> None:
        from sqlalchemy.ext.asyncio import create_async_engine

        self.engine = create_async_engine(database_url, pool_size=1) if database_url else None
        self.redis = None
        if queue_url.startswith("redis://"):
            import redis.asyncio

            self.redis = redis.asyncio.Redis.from_url(queue_url)

    async def read(self) -> dict[str, int]:
        from sqlalchemy import text

        out: dict[str, int] = {}
        if self.engine is not None:
            async with self.engine.connect() as conn:
                out["decided"] = int(await conn.scalar(text(SQL_DECIDED)) or 0)
                out["archive_unfiled"] = int(await conn.scalar(text(SQL_UNFILED)) or 0)
                out["outbox_unsent"] = int(await conn.scalar(text(SQL_OUTBOX)) or 0)
                out["outbox_dead"] = int(await conn.scalar(text(SQL_OUTBOX_DEAD)) or 0)
                out["ledger_pending"] = int(await conn.scalar(text(SQL_LEDGER_PENDING)) or 0)
        if self.redis is not None:  # huey's list of queued jobs (RedisHuey "ruxue")
            out["jobs_queued"] = int(await self.redis.llen("huey.redis.ruxue"))
        return out

    async def close(self) -> None:
        if self.engine is not None:
            await self.engine.dispose()
        if self.redis is not None:
            await self.redis.aclose()


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def sample(run: Run, depths: Depths, every: float, series: list[dict[str, Any]]) -> None:
    """Every ``every`` s until cancelled: the generator's counters, its CPU and the queue depths."""
    t0, last_t, last_cpu, last_requests = time.perf_counter(), time.perf_counter(), cpu_seconds(), 0
    while True:
        await asyncio.sleep(every)
        now, cpu, s = time.perf_counter(), cpu_seconds(), run.stats
        point: dict[str, Any] = {
            "t": round(now - t0, 1),
            "started": s.started,
            "completed": s.completed,
            "failed": s.failed,
            "in_flight": s.in_flight,
            "app_requests_per_s": round((s.app_requests - last_requests) / (now - last_t), 1),
            "loadgen_cpu": round((cpu - last_cpu) / (now - last_t), 2),
        }
        try:
            point.update(await depths.read())
        except Exception as exc:  # a sample lost is reported, the run goes on
            point["depth_error"] = f"{type(exc).__name__}: {exc}"[:120]
        series.append(point)
        print(f"loadgen: {json.dumps(point)}", file=sys.stderr, flush=True)
        last_t, last_cpu, last_requests = now, cpu, s.app_requests


def _drained(state: dict[str, int]) -> bool:
    keys = ("archive_unfiled", "outbox_unsent", "ledger_pending")
    return not any(state.get(k) for k in keys)


async def drain(depths: Depths, within: float, every: float) -> dict[str, Any]:
    """Wait until no decided case lacks its package, no outbox row is unsent and the worker has
    chained every digest of the integrity ledger (bounded)."""
    started = time.perf_counter()
    state = await depths.read()
    while time.perf_counter() - started < within:
        if _drained(state):
            break
        await asyncio.sleep(every)
        state = await depths.read()
    return {
        "drained": _drained(state),
        "drain_s": round(time.perf_counter() - started, 1),
        "decided": state.get("decided", 0),
        "decided_without_package": state.get("archive_unfiled", 0),
        "outbox_unsent": state.get("outbox_unsent", 0),
        "outbox_dead": state.get("outbox_dead", 0),
        "ledger_pending": state.get("ledger_pending", 0),
    }


async def set_latency(sandbox_url: str, latency_ms: int) -> None:
    """Every department of the sandbox answers after ``latency_ms`` (its fault API)."""
    async with aiohttp.ClientSession(base_url=sandbox_url) as http:
        for department in DEPARTMENTS:
            fault = {"latency_ms": latency_ms}
            async with http.put(f"/_sandbox/faults/{department}", json=fault) as response:
                response.raise_for_status()


async def generate(args: argparse.Namespace, people: list[Any]) -> dict[str, Any]:
    if args.latency_ms is not None:
        await set_latency(args.sandbox_url, args.latency_ms)
    connections = args.connections  # 0: no limit
    figures: dict[str, Any] = {}
    if args.ceiling_seconds:
        figures["ceiling"] = await ceiling(
            args.app_url, args.ceiling_connections, args.ceiling_seconds
        )
    run = Run(args.app_url, args.sandbox_url, connections, args.timeout)
    depths = Depths(args.database_url, args.queue_url)
    series: list[dict[str, Any]] = []
    sampler = asyncio.create_task(sample(run, depths, args.sample_every, series))
    watched = Watched(args.watch)
    cpu0, t0, stack0 = cpu_seconds(), time.perf_counter(), watched.cpu()
    try:
        if args.mode == "open":
            ended = await open_loop(
                run, people, args.rate, args.duration, args.max_in_flight, args.seed
            )
        else:
            ended = await closed_loop(run, people, args.concurrency, args.duration)
    finally:
        sampler.cancel()
        await run.close()
    wall, cpu, stack = ended - t0, cpu_seconds() - cpu0, watched.cpu()
    s = run.stats
    figures.update(
        {
            "mode": args.mode,
            "offered_rate": args.rate if args.mode == "open" else None,
            "concurrency": args.concurrency if args.mode == "closed" else None,
            "latency_ms": args.latency_ms,
            "wall_s": round(wall, 1),
            "started": s.started,
            "completed": s.completed,
            "failed": s.failed,
            "not_started": s.not_started,
            "completed_per_s": round(s.completed / wall, 2),
            "app_requests": s.app_requests,
            "app_requests_per_s": round(s.app_requests / wall, 1),
            "notice_polls": s.notice_polls,
            "sandbox_requests_per_s": round(s.sandbox_requests / wall, 1),
            "errors": dict(s.errors.most_common()),
            "first_errors": s.first_errors,
            "outcomes": dict(s.outcomes),
            "loadgen_cpu_s": round(cpu, 1),
            "loadgen_cpu_cores": round(cpu / wall, 2),
            "steps": step_table(s.samples),
        }
    )
    if "ceiling" in figures and figures["ceiling"]["requests_per_s"]:
        ratio = figures["app_requests_per_s"] / figures["ceiling"]["requests_per_s"]
        figures["flow_to_ceiling"] = round(ratio, 3)
    if stack:  # the CPU of the stack's processes during the flow (not the ceiling, not the drain)
        used = Watched.used(stack0, stack) | {"loadgen": cpu}
        figures["cpu_cores"] = {name: round(v / wall, 2) for name, v in used.items()}
        figures["cpu_ms_per_application"] = {
            name: round(v * 1000 / max(s.completed, 1), 1) for name, v in used.items()
        }
    try:
        if args.database_url and args.drain_seconds:
            figures["after"] = await drain(depths, args.drain_seconds, args.sample_every)
    finally:
        await depths.close()
    figures["series"] = series
    return figures


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--app-url", required=True)
    p.add_argument("--sandbox-url", required=True)
    p.add_argument("--dataset", required=True, type=Path, help="the city the sandbox serves")
    p.add_argument("--database-url", default="", help="the app's (for the queue depths)")
    p.add_argument("--queue-url", default="", help="redis://… of the app's task queue")
    p.add_argument("--mode", choices=["open", "closed"], default="open")
    p.add_argument("--rate", type=float, default=50.0, help="open: applications started per s")
    p.add_argument("--duration", type=float, default=300.0, help="seconds of arrivals")
    p.add_argument("--concurrency", type=int, default=50, help="closed: guardians at once")
    p.add_argument("--applicants", type=int, default=0, help="at most this many (0: as needed)")
    p.add_argument("--skip", type=int, default=0, help="leave out the dataset's first N children")
    p.add_argument("--district", default="", help="only children whose hukou is in this district")
    p.add_argument("--max-in-flight", type=int, default=5000)
    p.add_argument("--connections", type=int, default=0, help="to the app (default: no limit)")
    p.add_argument("--ceiling-connections", type=int, default=100)
    p.add_argument("--timeout", type=float, default=60.0, help="per request, seconds")
    p.add_argument("--latency-ms", type=int, default=None, help="set every department's latency")
    p.add_argument("--ceiling-seconds", type=float, default=10.0)
    p.add_argument("--sample-every", type=float, default=5.0)
    p.add_argument("--drain-seconds", type=float, default=900.0)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument(
        "--watch",
        action="append",
        default=[],
        metavar="NAME=PID|NAME=name:PROC",
        help="a process of the stack whose CPU during the flow is reported (its "
        "children included), or all processes called PROC (e.g. postgres)",
    )
    p.add_argument("--out", default="")
    return p


def one_per_family(people: list[Any]) -> list[Any]:
    """One child per parent: siblings of primary-school age (twins) next to each other in the
    city would have their spouse asked for a code twice within the minute the app allows one
    (a 429, rightly). A parent applying for twins waits that minute; the generator leaves the
    second child out instead."""
    parents: set[str] = set()
    out = []
    for who in people:
        guardian, _, spouse = who
        if guardian in parents or (spouse and spouse in parents):
            continue
        parents.update(p for p in (guardian, spouse) if p)
        out.append(who)
    return out


def in_district(dataset: Path, people: list[Any], district: str) -> list[Any]:
    data = msgspec.json.decode(dataset.read_bytes(), type=Dataset)
    booklets = {b.booklet_no: b.district_code for b in data.hukou_booklets}
    child_in = {p.id_number for p in data.persons if booklets.get(p.booklet_no) == district}
    return [who for who in people if who[1] in child_in]


def needed(args: argparse.Namespace) -> int:
    if args.applicants:
        return int(args.applicants)
    if args.mode == "open":  # arrivals are Poisson: room for a few standard deviations more
        mean = args.rate * args.duration
        return int(mean + 5 * mean**0.5 + 10)
    return 10**9


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = parser().parse_args(argv)
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)  # a connection per guardian in flight
    if hard != resource.RLIM_INFINITY:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    want = needed(args)
    people = one_per_family(applicants(args.dataset, 10**9))
    if args.district:  # a county system's cases: the child's hukou decides the case's district
        people = in_district(args.dataset, people, args.district)
    people = people[args.skip : args.skip + want]
    if len(people) < want < 10**9:
        print(f"loadgen: the city has {len(people)} applicants, {want} wanted", file=sys.stderr)
    figures = {
        "pid": os.getpid(),
        "applicants_available": len(people),
        **uvloop.run(generate(args, people)),  # the C event loop: less of the CPU the stack shares
    }
    if args.out:
        Path(args.out).write_text(json.dumps(figures, ensure_ascii=False, indent=1))
    print(json.dumps(figures, ensure_ascii=False))
    return figures


if __name__ == "__main__":
    main()
