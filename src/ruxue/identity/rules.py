"""How often a person may be sent an authorisation code or a notice: pure, on earlier send times."""

import datetime as dt
import math
from collections.abc import Sequence

MIN_GAP = dt.timedelta(seconds=60)
PER_DAY = 5
DAY = dt.timedelta(days=1)


def send_wait(sent: Sequence[dt.datetime], now: dt.datetime, gap: dt.timedelta = MIN_GAP) -> int:
    """Seconds before the next send for one key may go (0: now): at most one per ``gap`` and
    ``PER_DAY`` in any 24 hours."""
    recent = sorted(t for t in sent if now - t < DAY)
    waits = [dt.timedelta(0)]
    if recent and now - recent[-1] < gap:
        waits.append(recent[-1] + gap - now)
    if len(recent) >= PER_DAY:
        waits.append(recent[-PER_DAY] + DAY - now)
    return math.ceil(max(waits).total_seconds())


NEXT_MAX = 512
NOT_AFTER_LOGIN = ("/auth/",)  # a login that comes back to the login never ends


def safe_next(value: str) -> str | None:
    """Where to go after the login: a path of this site only ("/cases/…?x=1"), never another
    origin ("//evil", "/\\evil", "https://…"), a login page or anything with control characters."""
    if not value.startswith("/") or len(value) > NEXT_MAX:
        return None
    if value.startswith(NOT_AFTER_LOGIN) or value[1:2] in ("/", "\\"):
        return None
    if "\\" in value or any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
        return None
    return value


def wait_text(seconds: int) -> str:
    if seconds <= 60:
        return f"{seconds}秒"
    if seconds < 3600:
        return f"{math.ceil(seconds / 60)}分钟"
    return f"{math.ceil(seconds / 3600)}小时"
