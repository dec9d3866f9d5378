"""Every request counted and timed by its route template (``/api/v1/cases/{case_no}``), never by
the raw path, which carries case numbers."""

import time
from typing import Any

from opentelemetry import trace
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ruxue.ops import metrics, tracing

UNMATCHED = "<unmatched>"


def route_of(scope: Scope) -> str:
    """The template of the route that answered; a mount (``/static``) by its prefix."""
    route: Any = scope.get("route")
    if route is not None and isinstance(getattr(route, "path", None), str):
        return str(route.path)
    return str(scope.get("root_path") or UNMATCHED)


class MetricsMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, status = time.perf_counter(), 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                if tracing.tracer() is not None:  # the request's span, while it is open
                    params = scope.get("path_params") or {}
                    tracing.mark_case(trace.get_current_span(), params.get("case_no"))
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            route, method = route_of(scope), scope["method"]
            metrics.REQUESTS.labels(method, route, str(status)).inc()
            metrics.REQUEST_SECONDS.labels(method, route).observe(time.perf_counter() - started)
            db = getattr(getattr(scope.get("app"), "state", None), "db", None)
            if db is not None:
                metrics.observe_pool(db.engine.pool)
