"""How the composition roots switch operations on: ``web.app.create_app`` calls ``install_app``
and, once the plumbing exists, ``started``; ``worker.start`` calls ``install_worker``."""

from fastapi import FastAPI

from ruxue.exchange.client import Answer, CallContext, ExchangeClient
from ruxue.kit import queue
from ruxue.kit.db import Database
from ruxue.ops import jobs, metrics, tracing
from ruxue.ops.endpoints import router
from ruxue.ops.middleware import MetricsMiddleware
from ruxue.settings import Settings


def observe_call(ctx: CallContext, answer: Answer, breaker_state: str) -> None:
    outcome = "circuit_open" if answer.error == "circuit_open" else answer.outcome
    seconds = answer.latency_ms / 1000
    metrics.observe_call(answer.ask.department, outcome, seconds, breaker_state)
    tracing.department_call(
        answer.ask.department, answer.ask.service, ctx.case_no, outcome, seconds
    )


def install_app(app: FastAPI, settings: Settings) -> None:
    """The request metrics (outermost middleware), ``/livez``, ``/readyz``, ``/metrics``, the
    queue's signals and, when configured, the request traces."""
    app.add_middleware(MetricsMiddleware)
    app.include_router(router)
    queue.on_use(jobs.install)
    if provider := tracing.configure(settings, "ruxue-web"):
        from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
        from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor

        FastAPIInstrumentor.instrument_app(
            app, tracer_provider=provider, excluded_urls="livez,readyz,metrics,static"
        )
        HTTPXClientInstrumentor().instrument(tracer_provider=provider)


def started(db: Database, exchange: ExchangeClient) -> None:
    """The process's database and exchange client exist (the app's lifespan)."""
    exchange.observers.append(observe_call)
    if provider := tracing.configure_current():
        from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor

        # its declared range stops below SQLAlchemy 2.1, which it instruments all the same
        SQLAlchemyInstrumentor().instrument(
            engine=db.engine.sync_engine, tracer_provider=provider, skip_dep_check=True
        )


def install_worker(settings: Settings) -> None:
    queue.on_use(jobs.install)
    tracing.configure(settings, "ruxue-worker")
