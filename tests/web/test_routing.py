"""Dispatch by path prefix picks, for every route of the app, the route FastAPI's own walk picks."""

import re
from typing import Any

import httpx
from starlette.routing import Match

from ruxue.settings import Settings
from ruxue.web.app import create_app
from ruxue.web.routing import RouteIndex, literal_start, starts
from tests.support.helpers import ServerThread


def test_literal_start_stops_at_the_first_parameter() -> None:
    assert literal_start("/api/v1/cases/{case_no}/submit") == ("api", "v1", "cases")
    assert literal_start("/healthz") == ("healthz",)
    assert literal_start("/") == ("",)
    assert literal_start("/{token}") == ()
    assert literal_start("/kiosk/print-jobs/{job_id}.pdf") == ("kiosk", "print-jobs")


def test_starts_cover_the_path_with_its_trailing_slash_toggled() -> None:
    assert set(starts("/kiosk")) == {(), ("kiosk",), ("kiosk", "")}
    assert ("a", "b") in set(starts("/a/b/"))


def _walk(routes: list[Any], scope: dict[str, Any]) -> tuple[Any, dict[str, Any]] | None:
    for route in routes:
        match, child = route.matches(dict(scope))
        if match == Match.FULL:
            return route, child
    return None


def _leaves(routes: list[Any]) -> list[Any]:
    """Every route, those of the included routers (which FastAPI keeps as one route each) too."""
    out = []
    for route in routes:
        if hasattr(route, "effective_route_contexts"):
            out += [c.starlette_route or c for c in route.effective_route_contexts()]
        else:
            out.append(route)
    return out


def _sample(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "x1", path)


def test_the_index_picks_what_the_full_walk_picks(settings: Settings) -> None:
    app = create_app(settings)
    index = app.router.middleware_stack
    assert isinstance(index, RouteIndex)
    checked = 0
    for context in _leaves(app.router.routes):
        for method in sorted(getattr(context, "methods", None) or {"GET"}):
            path = _sample(str(context.path))
            scope = {"type": "http", "method": method, "path": path, "root_path": ""}
            whole = _walk(app.router.routes, scope)
            indexed = _walk(index.view(path).routes, scope)
            assert (whole and whole[0]) is (indexed and indexed[0]), (method, path)
            checked += 1
    assert checked > 150
    assert len(index.view("/healthz").routes) < 5  # not the 40 routers


async def test_not_found_slash_redirect_and_mounts_still_work(web: ServerThread) -> None:
    async with httpx.AsyncClient(base_url=web.url) as http:
        assert (await http.get("/healthz")).json() == {"status": "ok"}
        assert (await http.get("/no/such/page")).status_code == 404
        assert (await http.get("/healthz/")).status_code == 307  # FastAPI's slash redirect
        assert (await http.delete("/healthz")).status_code == 405
        assert (await http.get("/static/favicon.ico")).status_code == 200
        assert (await http.get("/favicon.ico")).status_code == 200


def test_url_for_sees_every_route(settings: Settings) -> None:
    app = create_app(settings)
    assert app.url_path_for("healthz") == "/healthz"
    assert app.url_path_for("static", path="app.css") == "/static/app.css"
