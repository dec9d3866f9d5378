"""Shared test support moved from tests/enrollment/test_api_flow.py (imported by other test modules)."""

import httpx

from tests.support.helpers import ServerThread
from tests.support.session import last_sms_code


async def apply(
    http: httpx.AsyncClient, sandbox: ServerThread, segment: str, child: str, spouse: str | None
) -> dict:  # type: ignore[type-arg]
    created = await http.post(
        "/api/v1/cases", json={"segment": segment, "child_id_number": child, "consent": True}
    )
    assert created.status_code == 201, created.text
    case = created.json()
    no = case["case_no"]
    assert any(f["source"] == "公安（户籍）" for f in case["fetched"])
    if spouse:
        sent = await http.post(f"/api/v1/cases/{no}/spouse/code", json={"spouse_id_number": spouse})
        assert sent.status_code == 200, sent.text
        code = await last_sms_code(sandbox)
        done = await http.post(
            f"/api/v1/cases/{no}/spouse",
            json={"spouse_id_number": spouse, "txn": sent.json()["txn"], "code": code},
        )
        assert done.status_code == 200, done.text
    else:
        assert (await http.post(f"/api/v1/cases/{no}/single-parent")).status_code == 200
    assert (await http.post(f"/api/v1/cases/{no}/checks")).status_code == 200
    homes = (await http.get(f"/api/v1/cases/{no}/residences")).json()
    chosen = await http.post(f"/api/v1/cases/{no}/residence", json={"cert_no": homes["suggested"]})
    assert chosen.status_code == 200, chosen.text
    assert (await http.post(f"/api/v1/cases/{no}/materials/done")).status_code == 200
    submitted = await http.post(f"/api/v1/cases/{no}/submit")
    assert submitted.status_code == 200, submitted.text
    return submitted.json()  # type: ignore[no-any-return]
