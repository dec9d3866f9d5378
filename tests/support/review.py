"""Shared test support moved from tests/review/test_materials_review.py (imported by other test modules)."""

import httpx

from tests.support.flow import apply
from tests.support.helpers import ServerThread
from tests.support.materials import PNG
from tests.support.session import logged_in

SUN, WU, SUN_CHILD = "320508198603030110", "320507198804040220", "320508202002020311"


PINGJIANG, GUSU = "3205080101", "320508"


BOTH = ["BIRTH_CERTIFICATE", "MARRIAGE_CERTIFICATE"]


async def sun_needs_materials(
    web: ServerThread, sandbox: ServerThread
) -> tuple[httpx.AsyncClient, str]:
    guardian = await logged_in(web, sandbox, SUN)
    case = await apply(guardian, sandbox, "primary", SUN_CHILD, WU)
    assert (case["status"], case["missing"]) == ("needs_materials", BOTH)  # tell-once: both at once
    assert [m["state"] for m in case["materials"]] == [None, None]
    assert case["materials_deadline"].startswith("2026-07-")
    return guardian, case["case_no"]


async def upload(guardian: httpx.AsyncClient, no: str, kind: str) -> httpx.Response:
    return await guardian.post(
        f"/api/v1/cases/{no}/materials/upload",
        data={"kind": kind},
        files={"file": (f"{kind}.png", PNG, "image/png")},
    )
