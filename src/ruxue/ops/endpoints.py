"""``/livez``, ``/readyz`` and ``/metrics``. The metrics path answers only a peer in
``RUXUE_METRICS_ALLOW`` (default: this host) that came directly, not through the reverse proxy (a
request carrying forwarding headers is refused whatever its peer); elsewhere it is 404, as if it
did not exist."""

import ipaddress
import weakref

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST

from ruxue.kit import queue
from ruxue.kit.db import Database
from ruxue.ops.collector import Gauges
from ruxue.ops.exposition import scrape
from ruxue.ops.health import readiness
from ruxue.settings import Settings
from ruxue.web.deps import DatabaseDep, SettingsDep

router = APIRouter(include_in_schema=False)
FORWARDED = ("x-forwarded-for", "forwarded", "x-real-ip")
_gauges: "weakref.WeakKeyDictionary[Database, Gauges]" = weakref.WeakKeyDictionary()


def may_scrape(request: Request, settings: Settings) -> bool:
    if any(h in request.headers for h in FORWARDED) or request.client is None:
        return False
    try:
        peer = ipaddress.ip_address(request.client.host)
    except ValueError:
        return False
    return any(peer in network for network in settings.metrics_allow)


def gauges_of(db: Database, settings: Settings) -> Gauges:
    if db not in _gauges:
        _gauges[db] = Gauges(db, queue.queue, settings)
    return _gauges[db]


@router.get("/livez")
async def livez() -> dict[str, str]:
    """The process is up and its event loop answers."""
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(db: DatabaseDep) -> Response:
    problems = await readiness(db, queue.queue)
    if problems:
        return JSONResponse({"status": "not_ready", "reasons": problems}, status_code=503)
    return JSONResponse({"status": "ready"})


@router.get("/metrics")
async def metrics(request: Request, db: DatabaseDep, settings: SettingsDep) -> Response:
    if not may_scrape(request, settings):
        return Response(status_code=404)
    gauges = gauges_of(db, settings)
    await gauges.refresh()
    return Response(scrape(gauges), media_type=CONTENT_TYPE_LATEST)
