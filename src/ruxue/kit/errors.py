"""Business errors carry their HTTP status and a Chinese message; one handler renders them."""

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse


class RuxueError(Exception):
    status_code = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, **details: object) -> None:
        super().__init__(message)
        self.message = message
        self.details = details
        self.headers: dict[str, str] = {}
        if code:
            self.code = code


class NotFound(RuxueError):
    status_code = 404
    code = "not_found"


class Forbidden(RuxueError):
    status_code = 403
    code = "forbidden"


class Unauthorized(RuxueError):
    status_code = 401
    code = "unauthorized"


class Unavailable(RuxueError):
    status_code = 503
    code = "unavailable"


async def _render(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RuxueError)
    body = {"error": exc.code, "message": exc.message, **exc.details}
    return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)


def install_error_handler(app: FastAPI) -> None:
    app.add_exception_handler(RuxueError, _render)
