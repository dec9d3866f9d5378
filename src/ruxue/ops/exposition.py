"""The text a scrape gets: this process's metrics, or every process's on this host in
multi-process mode (summed by prometheus-client), and the scrape-time gauges."""

import os
from collections.abc import Iterable

from prometheus_client import REGISTRY, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

from ruxue.ops.multiproc import ENV


class _ThisProcess(Collector):
    def collect(self) -> Iterable[Metric]:
        return REGISTRY.collect()


def scrape(*extra: Collector) -> bytes:
    registry = CollectorRegistry(auto_describe=False)
    if os.environ.get(ENV):
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(_ThisProcess())
    for collector in extra:
        registry.register(collector)
    return generate_latest(registry)
