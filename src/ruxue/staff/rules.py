"""Who may see and act on what. Pure functions over plain values."""

import datetime as dt

import pyotp

ROLES = {
    "desk": "学校窗口",
    "reviewer": "区教育局审核",
    "admin": "市教育局管理员",
    "archivist": "档案管理员",
}
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


def totp_step(secret: str, code: str, now: dt.datetime, last_used: int | None) -> int | None:
    """The time step a TOTP code belongs to (the current one or either neighbour, for clock
    drift), or None when it matches none or one already used: a code counts once."""
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in (current - 1, current, current + 1):
        if (last_used is None or step > last_used) and pyotp.utils.strings_equal(
            totp.generate_otp(step), code
        ):
            return step
    return None


def session_alive(last_seen: dt.datetime, now: dt.datetime) -> bool:
    return now - last_seen <= IDLE_TIMEOUT
