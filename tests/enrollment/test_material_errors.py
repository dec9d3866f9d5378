"""A refused upload on the materials step is shown beside its material, not at the top."""

import httpx

from tests.support.helpers import ServerThread
from tests.support.review import SUN, SUN_CHILD, WU
from tests.support.session import last_sms_code, logged_in


async def _sun_at_step_6(http: httpx.AsyncClient, sandbox: ServerThread) -> str:
    """The 孙 family (split booklets, no certificate on file): step 6 lists both certificates."""
    start = {"segment": "primary", "child_id_number": SUN_CHILD, "consent": True}
    no = str((await http.post("/api/v1/cases", json=start)).json()["case_no"])
    sent = await http.post(f"/api/v1/cases/{no}/spouse/code", json={"spouse_id_number": WU})
    answer = {"spouse_id_number": WU, "txn": sent.json()["txn"]}
    answer["code"] = await last_sms_code(sandbox)
    assert (await http.post(f"/api/v1/cases/{no}/spouse", json=answer)).status_code == 200
    await http.post(f"/api/v1/cases/{no}/checks")
    homes = (await http.get(f"/api/v1/cases/{no}/residences")).json()
    await http.post(f"/api/v1/cases/{no}/residence", json={"cert_no": homes["suggested"]})
    return no


async def test_a_refused_upload_is_shown_beside_its_material(
    web: ServerThread, sandbox: ServerThread, schools: None
) -> None:
    sun = await logged_in(web, sandbox, SUN)
    no = await _sun_at_step_6(sun, sandbox)
    assert 'id="m-BIRTH_CERTIFICATE"' in (await sun.get(f"/cases/{no}/step/6")).text
    refused = await sun.post(
        f"/cases/{no}/materials",
        data={"kind": "BIRTH_CERTIFICATE", "how": "upload"},
        files={"file": ("c.png", b"not a picture", "image/png")},
    )
    assert refused.status_code == 400
    assert 'id="page-error"' not in refused.text  # not at the top
    section = refused.text.split('id="m-BIRTH_CERTIFICATE"')[1].split("</section>")[0]
    assert 'id="error-BIRTH_CERTIFICATE"' in section and 'role="alert"' in section
    assert 'aria-invalid="true"' in section
    other = refused.text.split('id="m-MARRIAGE_CERTIFICATE"')[1].split("</section>")[0]
    assert "field-error" not in other  # only beside the material it is about
    await sun.aclose()
