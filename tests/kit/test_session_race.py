"""Issue 22: a revocation that has committed is final. A request that loaded its session before
the revocation, and saves it after, finds the row gone: it never makes it again, and the cookie
is cleared and refused from then on. The race is held open with an event, not with sleeps."""

import asyncio
from types import SimpleNamespace
from typing import Any

from sqlalchemy import select

from ruxue.kit.db import Database
from ruxue.kit.sessions import COOKIE, ServerSessionMiddleware, WebSession, revoke_staff, token_id


class Held:
    """An app that writes to its session and, when asked, waits for ``release`` before answering."""

    def __init__(self) -> None:
        self.loaded, self.release = asyncio.Event(), asyncio.Event()
        self.hold = False
        self.seen: dict[str, Any] = {}

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        self.seen = dict(scope["session"])
        scope["session"].setdefault("staff", {"id": 7})
        scope["session"]["visits"] = scope["session"].get("visits", 0) + 1
        if self.hold:
            self.loaded.set()
            await self.release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})


async def _call(app: Any, db: Database, token: str | None) -> list[tuple[bytes, bytes]]:
    headers = [(b"cookie", f"{COOKIE}={token}".encode())] if token else []
    scope = {
        "type": "http",
        "headers": headers,
        "app": SimpleNamespace(state=SimpleNamespace(db=db)),
    }
    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, None, send)
    return list(sent[0]["headers"])


def _cookie_set(headers: list[tuple[bytes, bytes]]) -> str:
    values = [v.decode() for k, v in headers if k == b"set-cookie"]
    return values[0] if values else ""


async def test_a_request_in_flight_does_not_bring_back_a_revoked_session(db: Database) -> None:
    inner = Held()
    app = ServerSessionMiddleware(inner, https=False)  # type: ignore[arg-type]
    first = _cookie_set(await _call(app, db, None))
    token = first.split(";")[0].split("=", 1)[1]
    async with db.read_session() as session:
        assert await session.get(WebSession, token_id(token)) is not None

    inner.hold = True
    in_flight = asyncio.create_task(_call(app, db, token))
    await inner.loaded.wait()  # the session is loaded; the request is not answered yet
    assert inner.seen["staff"] == {"id": 7}
    async with db.write_session() as session:
        assert await revoke_staff(session, 7) == 1  # a password change, committed
    inner.release.set()
    answered = await in_flight

    assert f"{COOKIE}=;" in _cookie_set(answered) and "Max-Age=0" in _cookie_set(answered)
    async with db.read_session() as session:
        assert (await session.scalars(select(WebSession))).all() == []
    inner.hold = False
    await _call(app, db, token)  # the old cookie again: an empty session, not the old one
    assert inner.seen == {}
