"""Shared test support moved from tests/rating/test_flow.py (imported by other test modules)."""

import httpx

from tests.support.flow import apply
from tests.support.helpers import ServerThread
from tests.support.personas import LIU, WANG, WANG_CHILD
from tests.support.session import logged_in

ONLINE = ["整体满意度", "办事效率", "办事指南精确度", "办事便捷度", "平台操作性"]


def rating(level: int, comment: str = "") -> dict[str, object]:
    return {"level": level, "indicators": dict.fromkeys(ONLINE, level), "comment": comment}


async def bad_rating(
    web: ServerThread, sandbox: ServerThread
) -> tuple[httpx.AsyncClient, str, int]:
    guardian = await logged_in(web, sandbox, WANG)
    case = await apply(guardian, sandbox, "primary", WANG_CHILD, LIU)
    no = case["case_no"]
    rated = await guardian.post(f"/api/v1/cases/{no}/rating", json=rating(1, "窗口排队太久"))
    assert rated.status_code == 200, rated.text
    assert rated.json()["rectification"]["status"] == "open"
    return guardian, no, rated.json()["rectification"]["id"]
