"""Who may see and act on what. Pure functions over plain values."""

import datetime as dt

ROLES = {
    "desk": "学校窗口",
    "reviewer": "区教育局审核",
    "admin": "市教育局管理员",
    "archivist": "档案管理员",
}
MAX_FAILED_LOGINS = 5
LOCKOUT = dt.timedelta(minutes=15)
IDLE_TIMEOUT = dt.timedelta(minutes=30)


def scope_problem(role: str, school_code: str | None, district_code: str | None) -> str | None:
    """A staff account's scope must fit its role: a desk has a school, a reviewer a district."""
    if role not in ROLES:
        return f"未知角色：{role}"
    if role == "desk" and not school_code:
        return "学校窗口账号必须指定学校"
    if role == "reviewer" and not district_code:
        return "区审核账号必须指定区"
    return None


def lockout_after_failure(failed: int, now: dt.datetime) -> dt.datetime | None:
    return now + LOCKOUT if failed >= MAX_FAILED_LOGINS else None


def session_alive(last_seen: dt.datetime, now: dt.datetime) -> bool:
    return now - last_seen <= IDLE_TIMEOUT
