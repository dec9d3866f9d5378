"""OpenTelemetry traces: off unless ``RUXUE_OTLP_ENDPOINT`` is set (or a test hands a provider).
A request's span, its department calls (``exchange``) and database statements as children, and
the jobs it queued joined to it through the queue: the enqueuer leaves the trace context under the
job's id in huey's store, the worker takes it when the job starts. A span carries the case number
(``ruxue.case_no``), never an ID number (no request body, no statement parameters)."""

import re
import time
from typing import Any

from huey import Huey
from opentelemetry import context, propagate, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import Span, Status, StatusCode

from ruxue.settings import Settings

CASE_NO = re.compile(r"^RX\d{4}[PJ][0-9A-F]{10}(-\d+)?$")
CASE_ATTRIBUTE = "ruxue.case_no"
_provider: list[TracerProvider] = []
_running: dict[str, tuple[Span, object]] = {}  # job id -> its span and the context token


def use(provider: TracerProvider | None) -> None:
    """Trace into ``provider`` (tests: an in-memory exporter); ``None`` turns tracing off."""
    _provider[:] = [provider] if provider is not None else []


def configure(settings: Settings, service: str) -> TracerProvider | None:
    """The process's provider: the one in use, else an OTLP exporter when an endpoint is set."""
    if not _provider and settings.otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider = TracerProvider(resource=Resource.create({"service.name": service}))
        provider.add_span_processor(
            BatchSpanProcessor(OTLPSpanExporter(endpoint=settings.otlp_endpoint))
        )
        use(provider)
    return _provider[0] if _provider else None


def configure_current() -> TracerProvider | None:
    return _provider[0] if _provider else None


def tracer() -> trace.Tracer | None:
    return _provider[0].get_tracer("ruxue") if _provider else None


def mark_case(span: Span, case_no: object) -> None:
    """The case number on ``span`` — only what has a case number's shape."""
    if isinstance(case_no, str) and CASE_NO.match(case_no):
        span.set_attribute(CASE_ATTRIBUTE, case_no)


def department_call(
    department: str, service: str, case_no: str, outcome: str, seconds: float
) -> None:
    """A finished department call as a child of the current span (its start set back by its
    length: the exchange client reports a call once it is over)."""
    if (current := tracer()) is None:
        return
    start = time.time_ns() - int(seconds * 1e9)
    span = current.start_span(f"department {service}", start_time=start, kind=trace.SpanKind.CLIENT)
    span.set_attributes({"ruxue.department": department, "ruxue.outcome": outcome})
    mark_case(span, case_no)
    if outcome in ("unavailable", "bad_response"):
        span.set_status(Status(StatusCode.ERROR, outcome))
    span.end()


def job_enqueued(huey: Huey, task: Any) -> None:
    if tracer() is None:
        return
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    if carrier:
        huey.put(f"trace:{task.id}", carrier)


def job_started(huey: Huey, task: Any) -> None:
    if (current := tracer()) is None:
        return
    carrier = huey.get(f"trace:{task.id}") or {}  # taken: read once
    parent = propagate.extract(carrier)
    span = current.start_span(f"job {task.name}", context=parent, kind=trace.SpanKind.CONSUMER)
    span.set_attribute("ruxue.job", task.name)
    args = task.args or ()
    if args:
        mark_case(span, args[0])
    token = context.attach(trace.set_span_in_context(span))
    _running[task.id] = (span, token)


def job_ended(task: Any, failed: bool) -> None:
    if (running := _running.pop(task.id, None)) is None:
        return
    span, token = running
    if failed:
        span.set_status(Status(StatusCode.ERROR))
    span.end()
    context.detach(token)  # type: ignore[arg-type]
