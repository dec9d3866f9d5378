"""Traces, with the SDK's in-memory exporter: a request's span carries the case number of its
route, a department call is a child of the span it was made in, and a job queued in a request
continues that request's trace in the worker. Off unless configured."""

from collections.abc import Iterator

import httpx
import pytest
from huey import MemoryHuey
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from ruxue.exchange.client import Answer, Ask, CallContext
from ruxue.ops import jobs, tracing
from ruxue.ops.install import observe_call
from ruxue.settings import Settings
from ruxue.web.app import create_app
from tests.support.helpers import ServerThread

CASE = "RX2026P0123456789"
ID_NUMBER = "320508201905060019"


@pytest.fixture
def exported() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracing.use(provider)
    yield exporter
    tracing.use(None)
    HTTPXClientInstrumentor().uninstrument()  # installed process-wide by create_app


def test_off_by_default(settings: Settings) -> None:
    assert settings.otlp_endpoint == ""
    assert tracing.configure(settings, "ruxue-web") is None and tracing.tracer() is None


@pytest.mark.database
async def test_a_request_span_carries_its_case_number(
    settings: Settings, exported: InMemorySpanExporter
) -> None:
    with ServerThread(create_app(settings)) as server:
        async with httpx.AsyncClient(base_url=server.url) as http:
            http.cookies.set("ruxue_session", "a-token-the-session-middleware-looks-up")
            await http.get(f"/api/v1/cases/{CASE}")
    spans = exported.get_finished_spans()
    server_spans = [s for s in spans if s.kind.name == "SERVER"]
    assert server_spans and server_spans[0].attributes["ruxue.case_no"] == CASE
    assert server_spans[0].attributes["http.route"] == "/api/v1/cases/{case_no}"
    statements = [s for s in spans if "db.statement" in (s.attributes or {})]
    assert statements and statements[0].context.trace_id == server_spans[0].context.trace_id
    assert not [s for s in spans if ID_NUMBER in str(s.attributes)]


def test_a_department_call_and_a_queued_job_join_the_request(
    exported: InMemorySpanExporter,
) -> None:
    huey = MemoryHuey("trace-test", immediate=False)
    jobs.install(huey)

    @huey.task()
    def build(case_no: str) -> str:
        return case_no

    tracer = tracing.tracer()
    assert tracer is not None
    with tracer.start_as_current_span("request") as request:
        ask = Ask("police.person", {"id_number": ID_NUMBER})
        observe_call(CallContext(CASE, ID_NUMBER, ()), Answer(ask, "ok", latency_ms=12.0), "closed")
        build(CASE)
    task = huey.dequeue()  # the worker, later, without the request's context
    huey.execute(task)
    spans = {s.name: s for s in exported.get_finished_spans()}
    trace_id = request.get_span_context().trace_id
    call, job = spans["department police.person"], spans["job build"]
    assert call.parent is not None and call.parent.span_id == request.get_span_context().span_id
    assert job.context.trace_id == trace_id and job.parent is not None
    assert call.attributes["ruxue.case_no"] == CASE and job.attributes["ruxue.case_no"] == CASE
    assert not [s for s in spans.values() if ID_NUMBER in str(s.attributes)]
