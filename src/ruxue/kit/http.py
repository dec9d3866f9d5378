"""Outgoing HTTP clients (identity platform, SMS gateway) share one TLS context per process.

httpx builds a new ``SSLContext`` — loading the whole CA bundle — for every client it creates:
measured here 36 ms a client, which made the login and the spouse's authorisation the costliest
steps of an application (43 % of the app's CPU under load). With the shared context a client
costs 0.15 ms. (The department exchange has its own long-lived aiohttp session.)"""

import ssl
from functools import cache
from typing import Any

import certifi
import httpx


@cache
def tls_context() -> ssl.SSLContext:
    return ssl.create_default_context(cafile=certifi.where())  # what httpx would build each time


def client(**kwargs: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(verify=tls_context(), **kwargs)
