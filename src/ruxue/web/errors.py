"""The one error handler: every error, ours or the framework's, reaches a person as a Chinese HTML
page and a client of the API as JSON with a code. Unexpected errors are logged with a reference
that the page shows instead of a traceback."""

import secrets
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException

from ruxue.kit.db import database_unavailable
from ruxue.kit.errors import Busy, Forbidden, RuxueError
from ruxue.kit.security import REFUSED, ASGIApp, Message, Receive, Scope, Send
from ruxue.web.render import render

log = structlog.get_logger("web")

# Errors the framework raises itself: status → (code, title, message).
HTTP_ERRORS = {
    401: ("unauthorized", "需要登录", "请先登录。"),
    403: ("forbidden", "无权访问", "您没有访问该页面的权限。"),
    404: ("not_found", "页面不存在", "您访问的页面不存在，请检查网址或从首页重新进入。"),
    405: (
        "method_not_allowed",
        "操作方式不正确",
        "该页面不支持这种操作方式，请从页面上的按钮进入。",
    ),
    413: ("too_large", "内容过大", "提交的内容过大。"),
    422: ("invalid_request", "填写的内容有误", "提交的内容不完整或格式不正确，请检查后重试。"),
}
OTHER = ("http_error", "请求未能完成", "请求未能完成，请稍后重试。")


class ErrorBody(BaseModel):
    """Every error of the JSON API: a code for clients, a Chinese message for people."""

    model_config = ConfigDict(extra="allow")  # details, e.g. the fields of a 422 or retry_after

    error: str
    message: str


_WHEN = {
    400: "输入有误（如身份证号码校验位不正确）",
    401: "未登录或会话已结束",
    403: "无权执行该操作，或请求来源不受信任",
    404: "对象不存在或不在调用者可见范围内",
    409: "办件状态冲突（如已有办件、已提交、已在其他页面更新）",
    422: "请求格式不正确",
    429: "操作过于频繁（见 Retry-After）",
    503: "部门数据服务或数据库暂时无法访问（见 Retry-After），已填写的内容已保存",
}
# Declared on every API route: the business errors any route may answer with, in one shape.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": when} for status, when in _WHEN.items()
}


def wants_json(request: Request) -> bool:
    if request.url.path.startswith("/api/"):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def way_back(request: Request) -> tuple[str, str]:
    if request.url.path.startswith("/kiosk"):  # a terminal never leaves its own screens
        signed_in = "session" in request.scope and request.session.get("kiosk")
        return ("/kiosk/home", "返回我的办理") if signed_in else ("/kiosk", "返回终端首页")
    if request.url.path.startswith("/staff"):
        return "/staff", "返回工作台"
    if request.session.get("guardian") if "session" in request.scope else False:
        return "/apply", "返回我的办理"
    return "/", "返回首页"


def respond(
    request: Request, status: int, code: str, title: str, message: str, **details: object
) -> Response:
    headers = {"cache-control": "no-store"}
    if wants_json(request):
        body = {"error": code, "message": message, **details}
        return JSONResponse(jsonable_encoder(body), status_code=status, headers=headers)
    back, back_text = way_back(request)
    page = "error_kiosk.html" if request.url.path.startswith("/kiosk") else "error.html"
    response = render(request, page, status_code=status, title=title, message=message,
                      back=back, back_text=back_text, ref=details.get("ref"))  # fmt: skip
    response.headers.update(headers)
    return response


async def business_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RuxueError)
    response = respond(request, exc.status_code, exc.code, exc.title, exc.message, **exc.details)
    response.headers.update(exc.headers)  # e.g. Retry-After on a 429
    return response


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    code, title, message = HTTP_ERRORS.get(exc.status_code, OTHER)
    response = respond(request, exc.status_code, code, title, message)
    if exc.headers:
        response.headers.update(exc.headers)
    return response


async def invalid_request(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    code, title, message = HTTP_ERRORS[422]
    fields = [{"loc": e["loc"], "type": e["type"], "msg": e["msg"]} for e in exc.errors()]
    return respond(request, 422, code, title, message, detail=fields)


async def unexpected(request: Request, exc: Exception) -> Response:
    ref = secrets.token_hex(4).upper()
    log.error("unexpected error", ref=ref, path=request.url.path, exc_info=exc)
    message = (
        f"系统出现异常，您的操作可能未完成，请稍后重试。如需帮助，请向工作人员提供参考编号 {ref}。"
    )
    return respond(request, 500, "internal_error", "系统异常", message, ref=ref)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RuxueError, business_error)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(Exception, unexpected)


class DatabaseBusy:
    """A database that cannot serve now (down, restarting, out of connections) is answered 503
    ``Busy`` with Retry-After, on every route and on the session middleware's own reads and
    writes of the session row, which run outside the routes' handlers (so this is middleware,
    between the session middleware and the security headers). Errors after the answer started,
    and any other error, go on to ``unexpected``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception as exc:
            if started or not database_unavailable(exc):
                raise
            log.warning("database unavailable", path=scope["path"], error=type(exc).__name__)
            response = await business_error(Request(scope, receive), Busy())
            await response(scope, receive, send)


class UntrustedOrigin(Forbidden):
    code = "untrusted_origin"
    title = "请求已拒绝"


async def refuse_error(scope: Scope, receive: Receive, error: RuxueError) -> ASGIApp:
    """An error found by a middleware before the routes (``kit.limits``), answered as the others."""
    return await business_error(Request(scope, receive), error)


async def refuse_origin(scope: Scope, receive: Receive) -> ASGIApp:
    """A state-changing request from another origin (``kit.security``), answered as the other
    errors are: a page with a way back, JSON for the API."""
    return await business_error(Request(scope, receive), UntrustedOrigin(REFUSED))
