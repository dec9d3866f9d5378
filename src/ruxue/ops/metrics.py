"""The metrics every process records (prometheus-client). In multi-process mode (the variable
``PROMETHEUS_MULTIPROC_DIR``, set by ``ruxue serve``/``ruxue worker``) each process writes its own
file and a scrape sums them; gauges say how (``multiprocess_mode``)."""

from prometheus_client import Counter, Gauge, Histogram, disable_created_metrics

disable_created_metrics()  # no ``*_created`` series: they double the counters for nothing

LATENCY = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

REQUESTS = Counter(
    "ruxue_http_requests",
    "HTTP requests by route template and status",
    ["method", "route", "status"],
)
REQUEST_SECONDS = Histogram(
    "ruxue_http_request_duration_seconds",
    "HTTP request latency by route template",
    ["method", "route"],
    buckets=LATENCY,
)
CALLS = Counter(
    "ruxue_department_calls",
    "Department calls by department and outcome",
    ["department", "outcome"],
)
CALL_SECONDS = Histogram(
    "ruxue_department_call_duration_seconds",
    "Department call latency (retries included)",
    ["department"],
    buckets=LATENCY,
)
# 0 closed, 1 half open, 2 open; the worst a live process holds
BREAKER = Gauge(
    "ruxue_breaker_state",
    "Circuit breaker per department: 0 closed, 1 half open, 2 open",
    ["department"],
    multiprocess_mode="livemax",
)
POOL = Gauge(
    "ruxue_db_pool_connections",
    "Database connections of the live processes' pools",
    ["state"],
    multiprocess_mode="livesum",
)
JOBS_ENQUEUED = Counter("ruxue_jobs_enqueued", "Jobs put on the queue", ["job"])
JOBS_FINISHED = Counter("ruxue_jobs_finished", "Jobs the worker finished", ["job", "result"])
AUDIT_PROBLEMS = Gauge(
    "ruxue_audit_verify_problems",
    "Breaks found by the last verification of the chains against the exported heads",
    multiprocess_mode="mostrecent",
)
AUDIT_VERIFIED_AT = Gauge(
    "ruxue_audit_verify_last_run_timestamp_seconds",
    "When the chains were last verified (Unix time)",
    multiprocess_mode="mostrecent",
)

BREAKER_VALUES = {"closed": 0, "half_open": 1, "open": 2}


def observe_call(department: str, outcome: str, seconds: float, breaker_state: str) -> None:
    CALLS.labels(department, outcome).inc()
    CALL_SECONDS.labels(department).observe(seconds)
    BREAKER.labels(department).set(BREAKER_VALUES.get(breaker_state, 0))


def observe_pool(engine_pool: object) -> None:
    """The pool's connections now (a pool without counts, SQLite's NullPool, is left out)."""
    checked_out = getattr(engine_pool, "checkedout", None)
    if checked_out is None:
        return
    POOL.labels("in_use").set(checked_out())
    POOL.labels("idle").set(engine_pool.checkedin())  # type: ignore[attr-defined]
    POOL.labels("overflow").set(max(engine_pool.overflow(), 0))  # type: ignore[attr-defined]
