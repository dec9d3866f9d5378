"""The guardians of a fault run (scripts/fault_run.py): bench_flow's driver, arriving open loop
(or a few at a time), coming back after a failure; the timer that tells the schedule when a
submission is in flight and keeps every step's start for the p99 per fault; the run's log."""

import asyncio
import datetime as dt
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from bench_flow import City, Timer, one

from ruxue.kit.http import tls_context


class Log:
    """What the run did and when (seconds since the start), and each fault's window."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.events: list[dict[str, Any]] = []
        self.windows: list[tuple[str, float, float]] = []

    def now(self) -> float:
        return time.monotonic() - self.started

    def __call__(self, what: str, **detail: Any) -> None:
        at = round(self.now(), 1)
        utc = dt.datetime.now(dt.UTC).strftime("%H:%M:%S")
        self.events.append({"t": at, "utc": utc, "what": what, **detail})
        print(f"[{at:7.1f}s] {what} {detail if detail else ''}", file=sys.stderr, flush=True)


class Watched(Timer):
    """bench_flow's timer, which also tells the chaos when a submission is in flight and keeps
    every step's start (seconds since the run began) for the p99 during and after each fault."""

    def __init__(self, clock: Callable[[], float]) -> None:
        super().__init__()
        self.clock = clock
        self.submitting = 0
        self.submit_started = asyncio.Event()
        self.in_flight = 0  # guardians in the middle of a flow
        self.timeline: list[tuple[float, str, float]] = []

    async def step(self, name: str, call: Any, allow: int = 0) -> httpx.Response:
        began, started = self.clock(), time.perf_counter()
        submit = name == "6-submit"
        if submit:
            self.submitting += 1
            self.submit_started.set()
        try:
            return await super().step(name, call, allow)
        finally:
            self.submitting -= submit
            self.timeline.append((began, name, (time.perf_counter() - started) * 1000))


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


@dataclass
class Guardians:
    """The guardians' side of the run: their driver, what they were told, who is still broken."""

    city: City
    t: Watched
    told: dict[str, str] = field(default_factory=dict)
    broken: dict[str, str] = field(default_factory=dict)

    async def apply(self, sandbox: httpx.AsyncClient, who: Any, tries: int = 3) -> None:
        """One guardian; after a failure they try again soon, once the app answers (a person
        would retry too), up to ``tries`` times in all."""
        for attempt in range(1, tries + 1):
            self.t.in_flight += 1
            try:
                self.told[who[1]] = await one(self.city.app_url, sandbox, self.t, who)
                self.broken.pop(who[1], None)
                return
            except Exception as exc:  # a fault did this: the guardian comes back later
                self.broken[who[1]] = f"{type(exc).__name__}: {exc}"[:160]
            finally:
                self.t.in_flight -= 1
            if attempt < tries:
                await asyncio.sleep(2)
                await wait_healthy(self.city)

    def sandbox(self) -> httpx.AsyncClient:
        limits = httpx.Limits(max_connections=200)
        url = self.city.sandbox_url
        return httpx.AsyncClient(base_url=url, timeout=30, verify=tls_context(), limits=limits)

    async def arrive(self, people: list[Any], rate: float, log: Log, seed: int = 7) -> None:
        """Open loop: guardians start at ``rate``/s (Poisson arrivals) whether or not the
        earlier ones are done — a slow app shows as latency, not as fewer arrivals."""
        rng, tasks = random.Random(seed), set[asyncio.Task[None]]()
        async with self.sandbox() as sandbox:
            for who in people:
                await asyncio.sleep(rng.expovariate(rate))
                task = asyncio.create_task(self.apply(sandbox, who))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
            log("arrivals over", guardians=len(people))
            await asyncio.gather(*list(tasks))

    async def closed(self, people: list[Any], concurrency: int) -> None:
        """``concurrency`` guardians at a time (the resume rounds, or without ``--rate``)."""
        queue: asyncio.Queue[Any] = asyncio.Queue()
        for who in people:
            queue.put_nowait(who)
        async with self.sandbox() as sandbox:

            async def guardian() -> None:
                while not queue.empty():
                    await self.apply(sandbox, queue.get_nowait())

            await asyncio.gather(*(guardian() for _ in range(concurrency)))
