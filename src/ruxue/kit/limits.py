"""A request body's size is limited before anything parses it: a ``Content-Length`` over the limit
is answered 413 at once; a body sent without one (chunked) is counted as it is read, and reading
past the limit raises ``BodyTooLarge`` (413, rendered as the app's other errors)."""

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from ruxue.kit.errors import RuxueError

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
Refusal = Callable[[Scope, Receive, RuxueError], Awaitable[ASGIApp]]


class BodyTooLarge(RuxueError):
    status_code = 413
    code = "payload_too_large"
    title = "提交的内容过大"

    def __init__(self, max_bytes: int) -> None:
        megabytes = max(1, max_bytes // (1024 * 1024))
        super().__init__(f"提交的内容超过 {megabytes} MB，已拒绝。请压缩或分开上传后重试。")


def declared_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


class BodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int, refusal: Refusal | None = None) -> None:
        self.app, self.max_bytes, self.refusal = app, max_bytes, refusal

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = declared_length(scope)
        if declared is not None and declared > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        await self._counted(scope, receive, send)

    async def _counted(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The app, its body counted as read; past the limit it is answered 413 here, and what
        the app then does (an error while parsing the cut body) is not sent."""
        seen, refused, started = 0, False, False

        async def counted() -> Message:
            nonlocal seen, refused
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_bytes and not refused:
                refused = True
                if not started:
                    await self._refuse(scope, receive, send)
                raise BodyTooLarge(self.max_bytes)
            return message

        async def sending(message: Message) -> None:
            nonlocal started
            if not refused:
                started = True
                await send(message)

        try:
            await self.app(scope, counted, sending)
        except Exception:
            if not refused:
                raise

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        refused = BodyTooLarge(self.max_bytes)
        if self.refusal is None:
            start = {"type": "http.response.start", "status": 413}
            start["headers"] = [(b"content-type", b"text/plain; charset=utf-8")]
            await send(start)
            await send({"type": "http.response.body", "body": refused.message.encode()})
            return
        answer = await self.refusal(scope, receive, refused)
        await answer(scope, receive, send)
