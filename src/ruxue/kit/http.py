"""Outgoing HTTP clients (identity platform, SMS gateway) share one TLS context per process.

httpx builds a new ``SSLContext`` — loading the whole CA bundle — for every client it creates:
measured here 36 ms a client, which made the login and the spouse's authorisation the costliest
steps of an application (43 % of the app's CPU under load). With the shared context a client
costs 0.15 ms. (The department exchange has its own long-lived aiohttp session.)

``RUXUE_CA_BUNDLE`` adds a CA bundle (a government CA that certifi does not carry) on top of
certifi's; the composition root hands it over once (``configure``)."""

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


def client(extra_ca: Path | None = None, **kwargs: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(verify=tls_context(extra_ca or default_extra_ca()), **kwargs)
