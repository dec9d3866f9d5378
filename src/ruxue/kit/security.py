"""Security headers on every answer and an origin check on every state-changing request.

A pure ASGI middleware (not ``BaseHTTPMiddleware``, which costs a task per request). The origin
check follows the OWASP CSRF cheat sheet's "verifying origin with standard headers": a browser
sends ``Origin`` (or ``Sec-Fetch-Site``) on a cross-origin POST, and a page on another port of the
same host is another origin. Clients that are not browsers send neither and are let through; the
forms' CSRF tokens cover what this check cannot."""

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import urlsplit

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
REFUSED = "请求来源不受信任，已拒绝。请从本站页面重新操作。"
# How a refused request is answered: the app renders it as its other errors (``web.errors``);
# without one (the sandbox) a line of text
Refusal = Callable[[Scope, Receive], Awaitable[ASGIApp]]


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def csp_leading_to(url: str) -> str:
    """The policy for a page whose form is answered with a redirect to ``url`` (checked by the
    caller): browsers hold a form's redirects to ``form-action`` too, so it names that origin."""
    return CSP.replace("form-action 'self'", f"form-action 'self' {origin_of(url)}")


def trusted_origin(method: str, headers: dict[str, str], own: set[str]) -> bool:
    """Whether a request may change state: safe methods always; otherwise its Origin must be one
    of ``own``, or, without Origin, Sec-Fetch-Site must not say another site sent it."""
    if method in SAFE_METHODS:
        return True
    origin = headers.get("origin")
    if origin is not None:
        return origin.lower() in own
    return headers.get("sec-fetch-site", "same-origin") in ("same-origin", "none")


def security_headers(path: str, https: bool) -> list[tuple[bytes, bytes]]:
    headers = [
        (b"content-security-policy", CSP.encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", b"DENY"),
        (b"referrer-policy", b"same-origin"),
        (b"cross-origin-opener-policy", b"same-origin"),
    ]
    if not path.startswith("/static/"):
        headers.append((b"cache-control", b"no-store"))  # personal pages stay out of caches
    if https:
        headers.append((b"strict-transport-security", b"max-age=31536000; includeSubDomains"))
    return headers


class SecurityMiddleware:
    def __init__(self, app: ASGIApp, public_url: str, refusal: Refusal | None = None) -> None:
        self.app, self.refusal = app, refusal
        self.public_origin = origin_of(public_url)
        self.https = public_url.startswith("https://")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        own = {self.public_origin, f"{scope.get('scheme', 'http')}://{headers.get('host', '')}"}
        extra = security_headers(scope["path"], self.https)
        if not trusted_origin(scope["method"], headers, own):
            answer = await self.refusal(scope, receive) if self.refusal else _refused
            await answer(scope, receive, _adding(send, extra))
            return

        await self.app(scope, receive, _adding(send, extra))


def _adding(send: Send, extra: list[tuple[bytes, bytes]]) -> Send:
    """``send`` with the security headers the answer does not set itself."""

    async def with_headers(message: Message) -> None:
        if message["type"] == "http.response.start":
            present = {k.lower() for k, _ in message.get("headers", [])}
            message["headers"] = list(message.get("headers", [])) + [
                (k, v) for k, v in extra if k not in present
            ]
        await send(message)

    return with_headers


async def _refused(scope: Scope, receive: Receive, send: Send) -> None:
    start = {"type": "http.response.start", "status": 403}
    start["headers"] = [(b"content-type", b"text/plain; charset=utf-8")]
    await send(start)
    await send({"type": "http.response.body", "body": REFUSED.encode()})
