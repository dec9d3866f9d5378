"""Outgoing HTTP clients (identity platform, SMS gateway) share one TLS context and one pool of
keep-alive connections per process.

httpx builds a new ``SSLContext`` — loading the whole CA bundle — for every client it creates:
measured here 36 ms a client, which made the login and the spouse's authorisation the costliest
steps of an application (43 % of the app's CPU under load). With the shared context a client
costs 0.15 ms. (The department exchange has its own long-lived aiohttp session.)

``RUXUE_CA_BUNDLE`` adds a CA bundle (a government CA that certifi does not carry) on top of
certifi's; the composition root hands it over once (``configure``).

Every client made here sends through one ``SharedTransport`` per CA bundle: a client per call (an
``async with`` around each request, or Authlib's client per login step) then reuses the process's
open connections instead of opening a TCP (and TLS) connection per call on the request path."""

import asyncio
import ssl
from functools import cache
from pathlib import Path
from typing import Any

import certifi
import httpx


@cache
def tls_context(extra_ca: Path | None = None) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=certifi.where())  # what httpx would build
    if extra_ca is not None:
        context.load_verify_locations(cafile=str(extra_ca))
    return context


_extra_ca: list[Path | None] = [None]


def configure(extra_ca: Path | None) -> None:
    """The CA bundle this process's clients trust besides certifi's (``RUXUE_CA_BUNDLE``)."""
    _extra_ca[0] = extra_ca


def default_extra_ca() -> Path | None:
    return _extra_ca[0]


class SharedTransport(httpx.AsyncBaseTransport):
    """A connection pool that outlives the clients using it: closing a client leaves it open.
    Connections belong to an event loop, so a new loop (a test, a job run with ``asyncio.run``)
    gets a new pool."""

    def __init__(self, extra_ca: Path | None) -> None:
        self.extra_ca = extra_ca
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pool: httpx.AsyncHTTPTransport | None = None

    def pool(self) -> httpx.AsyncHTTPTransport:
        loop = asyncio.get_running_loop()
        if self._pool is None or self._loop is not loop:
            self._loop = loop
            self._pool = httpx.AsyncHTTPTransport(verify=tls_context(self.extra_ca))
        return self._pool

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self.pool().handle_async_request(request)

    async def aclose(self) -> None:
        """Kept open for the next client (the process's end closes the sockets)."""


@cache
def shared_transport(extra_ca: Path | None = None) -> SharedTransport:
    return SharedTransport(extra_ca)


def client(extra_ca: Path | None = None, **kwargs: Any) -> httpx.AsyncClient:
    if kwargs.get("transport") is None:  # a test's transport goes straight through
        kwargs["transport"] = shared_transport(extra_ca or default_extra_ca())
    return httpx.AsyncClient(**kwargs)
