"""The gauges that need the database or the queue, computed when Prometheus scrapes (never per
request) and kept for ``RUXUE_METRICS_CACHE_S`` so that several scrapers, or a scraper per
process, cost one set of queries."""

import asyncio
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import structlog
from huey import Huey
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from ruxue.kit.db import Database
from ruxue.ops import repository
from ruxue.ops.jobs import QueueState, queue_state
from ruxue.settings import Settings

log = structlog.get_logger("ops")


@dataclass
class Snapshot:
    at: float
    counts: repository.Counts | None  # None: the database could not be read
    queue: QueueState | None  # None: the queue could not be read


class Gauges(Collector):
    """Scrape-time gauges from a cached snapshot; ``refresh`` (async) renews it when stale."""

    def __init__(self, db: Database, huey: Callable[[], Huey], settings: Settings) -> None:
        self.db, self.huey, self.settings = db, huey, settings
        self.snapshot: Snapshot | None = None
        self._lock = asyncio.Lock()

    async def refresh(self) -> Snapshot:
        async with self._lock:
            ttl = self.settings.metrics_cache_s
            if self.snapshot is None or time.monotonic() - self.snapshot.at >= ttl:
                self.snapshot = Snapshot(
                    time.monotonic(), await self._counts(), await self._queue()
                )
            return self.snapshot

    async def _counts(self) -> repository.Counts | None:
        try:
            async with self.db.read_session() as session:
                return await repository.counts(session)
        except Exception as exc:  # the scrape still answers; ruxue_scrape_ok says what failed
            log.warning("metrics: database not readable", error=type(exc).__name__)
            return None

    async def _queue(self) -> QueueState | None:
        try:
            return await asyncio.to_thread(queue_state, self.huey())
        except Exception as exc:
            log.warning("metrics: queue not readable", error=type(exc).__name__)
            return None

    def collect(self) -> Iterator[GaugeMetricFamily]:
        snap = self.snapshot
        if snap is None:
            return
        ok = GaugeMetricFamily("ruxue_scrape_ok", "Could this scrape read it", labels=["source"])
        ok.add_metric(["database"], snap.counts is not None)
        ok.add_metric(["queue"], snap.queue is not None)
        yield ok
        if snap.counts is not None:
            yield from _count_families(snap.counts)
        if snap.queue is not None:
            yield from _queue_families(snap.queue)


def _family(name: str, doc: str, label: str, values: dict[str, int]) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, doc, labels=[label])
    for key, value in sorted(values.items()):
        family.add_metric([key], value)
    return family


def _count_families(counts: repository.Counts) -> Iterator[GaugeMetricFamily]:
    yield _family("ruxue_cases", "Cases by status", "status", counts.cases)
    yield _family(
        "ruxue_archive_packages",
        "Archive: final cases waiting for a package, filings failing, given up, current packages",
        "state",
        counts.archive,
    )
    yield _family(
        "ruxue_county_outbox",
        "County report outbox: unsent and dead",
        "state",
        counts.county_outbox,
    )
    yield _family("ruxue_sms", "SMS outbox rows by status", "status", counts.sms)


def _queue_families(queue: QueueState) -> Iterator[GaugeMetricFamily]:
    yield _family("ruxue_queue_depth", "Jobs waiting, per job kind", "job", dict(queue.depth))
    age = GaugeMetricFamily(
        "ruxue_queue_oldest_age_seconds", "Age of the oldest waiting job, per kind", labels=["job"]
    )
    for job, seconds in sorted(queue.oldest_s.items()):
        age.add_metric([job], round(seconds, 3))
    yield age
    yield GaugeMetricFamily(
        "ruxue_queue_scheduled", "Jobs scheduled for later (retries)", value=queue.scheduled
    )
