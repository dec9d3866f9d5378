"""Shared test support moved from tests/enrollment/test_materials_and_public.py (imported by other test modules)."""

import httpx

from tests.support import files
from tests.support.personas import CHEN_CHILD

PNG = files.photo("PNG")


async def _at_materials_step(http: httpx.AsyncClient) -> str:
    case = (
        await http.post(
            "/api/v1/cases",
            json={"segment": "primary", "child_id_number": CHEN_CHILD, "consent": True},
        )
    ).json()
    no = case["case_no"]
    # 陈伟 alone (split booklet, no spouse); married to 周 on the record, he says it is wrong
    await http.post(f"/api/v1/cases/{no}/single-parent", params={"contested": True})
    await http.post(f"/api/v1/cases/{no}/checks")
    await http.post(f"/api/v1/cases/{no}/residence", json={"cert_no": None})
    return no  # type: ignore[no-any-return]
