"""Issue 22: X-Forwarded-For is believed only from the configured proxies; from any other peer
(127.0.0.1 included, which uvicorn trusts by itself) the peer's address is the client's."""

import asyncio
from typing import Any

import uvicorn

from ruxue.cli.reuseport import proxy_options
from ruxue.settings import Settings


def _client_seen(settings: Settings, peer: str) -> str:
    seen: list[str] = []

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        seen.append(scope["client"][0])

    config = uvicorn.Config(app, **proxy_options(settings))
    config.load()
    scope = {
        "type": "http",
        "scheme": "http",
        "client": (peer, 40000),
        "headers": [(b"x-forwarded-for", b"203.0.113.9")],
    }
    asyncio.run(config.loaded_app(scope, None, None))
    return seen[0]


def test_forwarded_headers_are_ignored_without_configured_proxies() -> None:
    assert _client_seen(Settings(mode="test"), "127.0.0.1") == "127.0.0.1"
    assert _client_seen(Settings(mode="test"), "10.0.0.5") == "10.0.0.5"


def test_forwarded_headers_are_believed_from_a_configured_proxy_only() -> None:
    settings = Settings(mode="test", trusted_proxies=["10.0.0.0/24"])
    assert _client_seen(settings, "10.0.0.5") == "203.0.113.9"
    assert _client_seen(settings, "127.0.0.1") == "127.0.0.1"
    assert _client_seen(settings, "10.0.1.5") == "10.0.1.5"
