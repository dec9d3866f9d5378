"""Peak-day throughput: guardians through the whole online flow (login at the identity platform,
the seven steps, the notice) against the sandbox over real HTTP, with the app, the task-queue
worker, the sandbox and this load generator all on this machine. Reports completed applications
per second and the latency of every step (p50/p99).

    bench_flow.py [--families N] [--applicants N] [--concurrency C] [--database-url URL] [--out F]
"""

import argparse
import asyncio
import datetime as dt
import html
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import msgspec
import psutil

from ruxue.cli.run import wait_ready
from ruxue.dataset.schemas import Dataset
from ruxue.kit.http import tls_context
from ruxue.rating import rules as rating_rules
from ruxue.sandbox.idp import phone_of

ROOT = Path(__file__).resolve().parent.parent
NOW = "2026-06-15T10:00:00+08:00"
FIELD = r'name="{}" value="([^"]+)"'
NOTICE_WAIT_S = 180.0  # the app seals a notice its job has not within 60 s itself
RATING = {"level": 5, "indicators": dict.fromkeys(rating_rules.settings().indicators["online"], 5),
          "comment": ""}  # fmt: skip


def location(response: httpx.Response, what: str) -> str:
    if "location" not in response.headers:
        raise RuntimeError(f"{what}: {response.status_code} {response.text[:200]}")
    return response.headers["location"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def applicants(dataset: Path, limit: int) -> list[tuple[str, str, str | None]]:
    """(guardian, child, spouse or None) for children of primary-school age with a parent on
    record; the spouse is the other parent when the two are married."""
    data = msgspec.json.decode(dataset.read_bytes(), type=Dataset)
    married = {frozenset((m.party_a, m.party_b)) for m in data.marriages if m.status == "married"}
    known = {p.id_number for p in data.persons}  # a parent from outside the city cannot log in here
    first, last = dt.date(2019, 9, 1), dt.date(2020, 8, 31)
    out = []
    for p in data.persons:
        if first <= p.birth_date <= last:
            guardian = p.father_id_number if p.father_id_number in known else p.mother_id_number
            if guardian not in known:
                continue
            other = p.mother_id_number if guardian == p.father_id_number else p.father_id_number
            spouse = other if other and frozenset((guardian, other)) in married else None
            out.append((str(guardian), p.id_number, spouse))
        if len(out) == limit:
            break
    return out


class Timer:
    """Wall time per step and, given ``cpu`` (the app's CPU seconds so far), the app's CPU per
    step: exact only with one guardian at a time (``--per-step``), when nothing else runs in it."""

    def __init__(self, cpu: Callable[[], float] | None = None) -> None:
        self.samples: dict[str, list[float]] = defaultdict(list)
        self.cpu = cpu or (lambda: 0.0)
        self.cpu_ms: dict[str, list[float]] = defaultdict(list)

    async def step(self, name: str, call: Any, allow: int = 0) -> httpx.Response:
        started, cpu = time.perf_counter(), self.cpu()
        response = await call
        self.samples[name].append((time.perf_counter() - started) * 1000)
        self.cpu_ms[name].append((self.cpu() - cpu) * 1000)
        if response.status_code >= 400 and response.status_code != allow:
            raise RuntimeError(f"{name}: {response.status_code} {response.text[:200]}")
        return response  # type: ignore[no-any-return]


async def sms_code(sandbox: httpx.AsyncClient, phone: str) -> str:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        for message in (await sandbox.get("/_sandbox/sms", params={"phone": phone})).json():
            if found := re.search(r"验证码(?:为)?(\d{6})", message["text"]):
                return found.group(1)
        await asyncio.sleep(0.05)  # the SMS is written by another process: poll, bounded
    raise RuntimeError(f"no SMS to {phone}")


async def notice(t: Timer, http: httpx.AsyncClient, path: str) -> None:
    """As loadgen.py: the first answer is ``7-notice``; while it is 202 (the job has not sealed the
    notice yet) it is asked again after ``Retry-After`` (``7-notice-poll``, the app's CPU of each
    counted in the application), and ``7-notice-ready`` is the wait until the PDF (wall only)."""
    started = time.perf_counter()
    answer = await t.step("7-notice", http.get(path))
    while answer.status_code == 202:
        if time.perf_counter() - started > NOTICE_WAIT_S:
            raise RuntimeError(f"7-notice-ready: no PDF after {NOTICE_WAIT_S} s")
        await asyncio.sleep(float(answer.headers.get("retry-after") or 1))
        answer = await t.step("7-notice-poll", http.get(path))
    t.samples["7-notice-ready"].append((time.perf_counter() - started) * 1000)


async def one(
    app_url: str,
    sandbox: httpx.AsyncClient,
    t: Timer,
    who: tuple[str, str, str | None],
    segment: str = "primary",
    full: bool = False,
) -> str:
    guardian, child, spouse = who
    # one client per guardian (its own cookies), sharing the TLS context: building one costs 36 ms
    async with httpx.AsyncClient(base_url=app_url, timeout=30, verify=tls_context()) as http:
        started, cpu = time.perf_counter(), t.cpu()
        start = await http.get("/auth/login")
        page = await sandbox.get(location(start, "/auth/login"))
        query = html.unescape(re.search(FIELD.format("query"), page.text).group(1))  # type: ignore[union-attr]
        sent = await sandbox.post(
            "/idp/authorize/sms", data={"query": query, "id_number": guardian}
        )
        shown = re.search(r'<strong id="otp">(\d{6})</strong>', sent.text)
        if shown is None:
            raise RuntimeError(
                f"identity platform refused {guardian[:6]}…: {sent.status_code} {sent.text[-300:]}"
            )
        code = shown.group(1)
        txn = html.unescape(re.search(FIELD.format("txn"), sent.text).group(1))  # type: ignore[union-attr]
        back = await sandbox.post(
            "/idp/authorize/verify", data={"query": query, "txn": txn, "code": code}
        )
        await t.step("login", http.get(location(back, "verify")))
        t.samples["login"][-1] = (time.perf_counter() - started) * 1000  # the whole login
        t.cpu_ms["login"][-1] = (t.cpu() - cpu) * 1000  # the app's part: start and callback
        case = (await t.step("1-consent+fetch", http.post("/api/v1/cases", json={
            "segment": segment, "child_id_number": child, "consent": True}), allow=409)).json()  # fmt: skip
        if "error" in case:  # resuming a case already submitted (409 duplicate_case, own number)
            return str((await http.get(f"/api/v1/cases/{case['case_no']}")).json()["outcome"])
        no = case["case_no"]
        if case["step"] > 3:  # resuming a draft whose spouse step is done
            pass
        elif spouse:
            sent = await t.step("2-spouse-code", http.post(f"/api/v1/cases/{no}/spouse/code",
                                                         json={"spouse_id_number": spouse}))  # fmt: skip
            code = await sms_code(sandbox, phone_of(spouse))
            await t.step("2-spouse-verify", http.post(f"/api/v1/cases/{no}/spouse", json={
                "spouse_id_number": spouse, "txn": sent.json()["txn"], "code": code}))  # fmt: skip
        else:
            await t.step("2-single-parent", http.post(f"/api/v1/cases/{no}/single-parent"))
        await t.step("3-checks", http.post(f"/api/v1/cases/{no}/checks"))
        homes = (await t.step("4-residences", http.get(f"/api/v1/cases/{no}/residences"))).json()
        await t.step("4-choose", http.post(f"/api/v1/cases/{no}/residence",
                                           json={"cert_no": homes.get("suggested")}))  # fmt: skip
        await t.step("5-materials", http.post(f"/api/v1/cases/{no}/materials/done"))
        done = await t.step("6-submit", http.post(f"/api/v1/cases/{no}/submit"))
        outcome = str(done.json().get("outcome"))
        if full and outcome in ("notice_issued", "rejected"):  # as loadgen.py: the notice, rated
            pdf = "notice.pdf" if outcome == "notice_issued" else "rejection.pdf"
            await notice(t, http, f"/api/v1/cases/{no}/{pdf}")
            await t.step("8-rating", http.post(f"/api/v1/cases/{no}/rating", json=RATING))
        t.samples["whole"].append((time.perf_counter() - started) * 1000)
        return outcome


async def drive(
    app_url: str,
    sandbox_url: str,
    people: list[Any],
    concurrency: int,
    app_cpu: Callable[[], float] | None = None,
) -> dict[str, Any]:
    """With ``app_cpu`` (one guardian at a time): the app's CPU per step, the notice and the
    rating included."""
    t, outcomes, errors = Timer(app_cpu), defaultdict(int), []
    queue: asyncio.Queue[Any] = asyncio.Queue()
    for who in people:
        queue.put_nowait(who)
    limits = httpx.Limits(max_connections=concurrency * 2)
    async with httpx.AsyncClient(
        base_url=sandbox_url, timeout=30, limits=limits, verify=tls_context()
    ) as sandbox:

        async def worker() -> None:
            while not queue.empty():
                who = queue.get_nowait()
                try:
                    outcomes[await one(app_url, sandbox, t, who, full=app_cpu is not None)] += 1
                except Exception as exc:  # counted and reported, the run goes on
                    errors.append(f"{type(exc).__name__}: {exc}"[:200])

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        wall = time.perf_counter() - started
    steps = {name: {"n": len(v), "p50_ms": round(statistics.median(v), 1),
                    "p99_ms": round(sorted(v)[max(0, int(len(v) * 0.99) - 1)], 1)}
             for name, v in sorted(t.samples.items())}  # fmt: skip
    done = sum(outcomes.values())
    per_request = {"app_cpu_ms_per_request": app_cpu_ms(t.cpu_ms)} if app_cpu is not None else {}
    return {**per_request, "completed": done, "completed_per_s": round(done / wall, 1), "wall_s": round(wall, 1),
            "outcomes": dict(outcomes), "errors": len(errors), "first_errors": errors[:3], "steps": steps}  # fmt: skip


def app_cpu_ms(samples: dict[str, list[float]]) -> dict[str, float]:
    """The app's mean CPU ms per request of each step; ``application`` is their sum (a step
    taken by only some applications, e.g. the spouse's, counts in proportion)."""
    done = max(len(samples.get("6-submit", [])), 1)
    means = {name: round(statistics.mean(v), 2) for name, v in sorted(samples.items()) if v}
    means["application"] = round(sum(sum(v) for v in samples.values()) / done, 2)
    return means


@dataclass
class City:
    """A generated city served by the sandbox, the app and the worker, each its own process."""

    tmp: Path
    dataset: Path
    env: dict[str, str]
    app_url: str
    sandbox_url: str
    # name -> the command and the running process of the sandbox, the app and the worker, so a
    # fault run can kill one and start it again (``restart``)
    commands: dict[str, list[str]]
    procs: dict[str, subprocess.Popen[bytes]]

    def restart(self, name: str) -> None:
        """Start ``name`` again after it died (or was killed)."""
        self.procs[name].wait(timeout=20)
        self.procs[name] = start(self.tmp, name, self.commands[name], self.env)


def start(tmp: Path, name: str, argv: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    """A process of the city, its output appended to ``{tmp}/{name}.log``."""
    with (tmp / f"{name}.log").open("ab") as out:
        return subprocess.Popen(argv, env=env, cwd=tmp, stdout=out, stderr=subprocess.STDOUT)


@contextmanager
def running_city(
    families: int,
    database_url: str = "",
    app_workers: int = 1,
    env: dict[str, str] | None = None,
    dataset: Path | None = None,
    worker_processes: int = 1,
    worker_args: tuple[str, ...] = (),
    placement: str = "at_submission",
) -> Iterator[City]:
    """The city's processes; ``dataset`` is a city generated before (else one of ``families``
    families is generated), ``worker_processes`` task-queue consumers ("worker", "worker-2" …);
    ``placement="allocation"`` puts every district of the city on the cohort's allocation run
    (no notice at submission: the case waits, qualified, for the publication)."""
    # a killed run still stops its processes (the finally below runs)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    tmp = Path(tempfile.mkdtemp(prefix="ruxue-flow-"))
    ruxue = [sys.executable, "-m", "ruxue.cli.main"]
    if dataset is None:
        dataset = tmp / "city.json"
        subprocess.run([*ruxue, "dataset", "generate", "--families", str(families), "--seed", "7",
                        "--out", str(dataset)], check=True, capture_output=True)  # fmt: skip
    sandbox_port, app_port = free_port(), free_port()
    sandbox_url, app_url = f"http://127.0.0.1:{sandbox_port}", f"http://127.0.0.1:{app_port}"
    env = {**os.environ, "RUXUE_MODE": "demo", "RUXUE_NOW": NOW, "RUXUE_VAR_DIR": str(tmp / "var"),
           "RUXUE_DATABASE_URL": database_url or f"sqlite+aiosqlite:///{tmp}/ruxue.db",
           "RUXUE_EXCHANGE_URL": f"{sandbox_url}/exchange", "RUXUE_IDP_URL": f"{sandbox_url}/idp",
           "RUXUE_SMS_URL": f"{sandbox_url}/_sandbox/sms", "RUXUE_PUBLIC_URL": app_url,
           "RUXUE_SPOUSE_METHOD": "code", **(env or {})}  # code: no second login to drive  # fmt: skip
    subprocess.run([*ruxue, "db", "upgrade"], env=env, check=True, capture_output=True)
    subprocess.run(
        [*ruxue, "schools", "import", str(dataset)], env=env, check=True, capture_output=True
    )
    if placement == "allocation":
        on_allocation(ruxue, env, dataset, tmp)
    commands = {
        "sandbox": [*ruxue, "sandbox", "--dataset", str(dataset), "--port", str(sandbox_port)],
        "app": [*ruxue, "serve", "--port", str(app_port), "--workers", str(app_workers)],
        "worker": [*ruxue, "worker", *worker_args],
        **{f"worker-{n}": [*ruxue, "worker", *worker_args] for n in range(2, worker_processes + 1)},
    }
    procs = {name: start(tmp, name, argv, env) for name, argv in commands.items()}
    try:
        wait_ready(f"{sandbox_url}/_sandbox/health", list(procs.values()), timeout=180)
        wait_ready(f"{app_url}/healthz", list(procs.values()), timeout=180)
        yield City(tmp, dataset, env, app_url, sandbox_url, commands, procs)
    finally:
        for p in procs.values():
            p.terminate()
        for p in procs.values():
            p.wait(timeout=20)
        shutil.rmtree(tmp, ignore_errors=True)


ALLOCATION = """placement = "allocation"
publish_on = "07-10"
"""


def on_allocation(ruxue: list[str], env: dict[str, str], dataset: Path, tmp: Path) -> None:
    """Every district of the city's schools on the allocation run, through ``ruxue policy
    import`` as a bureau would."""
    policy = tmp / "allocation.toml"
    policy.write_text(ALLOCATION, encoding="utf-8")
    year = dt.date.fromisoformat(NOW[:10]).year
    data = msgspec.json.decode(dataset.read_bytes(), type=Dataset)
    districts = sorted({school.district_code for school in data.schools})
    for district in districts:
        subprocess.run([*ruxue, "policy", "import", str(policy), "--district", district,
                        "--year", str(year), "--by", "bench"], env=env, check=True, capture_output=True)  # fmt: skip


class Watched:
    """CPU seconds (user + system) of the stack's processes, children included (uvicorn's workers):
    ``NAME=PID``, or ``NAME=name:PROC`` for every process called PROC (``loadgen --watch``, and
    this bench's own processes). Per application it is a cost that the other processes on the
    machine barely move."""

    def __init__(self, specs: list[str]) -> None:
        self.specs = dict(spec.split("=", 1) for spec in specs)

    def cpu(self) -> dict[str, dict[int, float]]:
        """name -> pid -> CPU seconds so far of each process watched under that name."""
        if not self.specs:
            return {}
        out: dict[str, dict[int, float]] = {}
        for name, spec in self.specs.items():
            if spec.startswith("name:"):
                family = [p for p in psutil.process_iter(["name"]) if p.info["name"] == spec[5:]]
            else:
                try:
                    parent = psutil.Process(int(spec))
                    family = [parent, *parent.children(recursive=True)]
                except psutil.NoSuchProcess:
                    family = []
            out[name] = {}
            for p in family:
                try:
                    times = p.cpu_times()
                except psutil.NoSuchProcess:
                    continue  # ended in between: its CPU is lost, say so in the docs
                out[name][p.pid] = times.user + times.system
        return out

    @staticmethod
    def used(
        before: dict[str, dict[int, float]], after: dict[str, dict[int, float]]
    ) -> dict[str, float]:
        """CPU seconds used between the two readings, per name: a process that ended in between
        takes its CPU with it (it is not counted negative), one that started counts whole."""
        return {
            name: sum(cpu - before.get(name, {}).get(pid, 0.0) for pid, cpu in pids.items())
            for name, pids in after.items()
        }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--families", type=int, default=3000)
    parser.add_argument("--applicants", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=25)
    parser.add_argument("--app-workers", type=int, default=1)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--out", default="")
    parser.add_argument(
        "--placement", choices=["at_submission", "allocation"], default="at_submission"
    )
    parser.add_argument(
        "--per-step",
        action="store_true",
        help="one guardian at a time, notice and rating too: the app's CPU ms per request",
    )
    args = parser.parse_args()
    with running_city(
        args.families, args.database_url, args.app_workers, placement=args.placement
    ) as city:
        people = applicants(city.dataset, args.applicants)
        watched = Watched([f"{name}={proc.pid}" for name, proc in city.procs.items()])
        app = Watched([f"app={city.procs['app'].pid}"])
        app_cpu = (lambda: sum(app.cpu()["app"].values())) if args.per_step else None
        concurrency = 1 if args.per_step else args.concurrency
        before = watched.cpu()
        figures = asyncio.run(drive(city.app_url, city.sandbox_url, people, concurrency, app_cpu))
        used, per = Watched.used(before, watched.cpu()), max(1, figures["completed"])
        figures["cpu_ms_per_application"] = {
            name: round(cpu * 1000 / per, 1) for name, cpu in used.items()
        }
    figures = {"bench": "flow", "at": dt.datetime.now().isoformat(timespec="seconds"), "cpus": os.cpu_count(),
               "database": "postgresql" if args.database_url.startswith("postgresql") else "sqlite",
               "families": args.families, "placement": args.placement, "concurrency": 1 if args.per_step else args.concurrency, "app_workers": args.app_workers,
               **figures}  # fmt: skip
    if args.out:
        Path(args.out).write_text(json.dumps(figures, ensure_ascii=False, indent=1))
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
