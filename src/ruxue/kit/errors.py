"""One error hierarchy. Each error carries its HTTP status, a code for clients, a short Chinese title
and a Chinese message for people. Pure (no web framework), so domain rules raise them too;
``web/errors.py`` renders them: an HTML page for a person, JSON for the API."""


class RuxueError(Exception):
    status_code = 400
    code = "bad_request"
    title = "请求有误"

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
    title = "页面不存在"


class Forbidden(RuxueError):
    status_code = 403
    code = "forbidden"
    title = "无权访问"


class Unauthorized(RuxueError):
    status_code = 401
    code = "unauthorized"
    title = "需要登录"


class Conflict(RuxueError):
    status_code = 409
    code = "conflict"
    title = "办件状态已变化"


class Unavailable(RuxueError):
    status_code = 503
    code = "unavailable"
    title = "服务暂时不可用"


class Busy(Unavailable):
    """The database cannot serve now (``kit.db.database_unavailable``): ask again later."""

    code = "busy"
    title = "系统繁忙"
    RETRY_AFTER_S = 30

    def __init__(self) -> None:
        super().__init__("系统繁忙，请稍后再试。", retry_after=self.RETRY_AFTER_S)
        self.headers = {"Retry-After": str(self.RETRY_AFTER_S)}
