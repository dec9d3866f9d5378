"""Issue 23: at the county the family does not type what the login already gave: the start form
shows the applicant from the county's own session (masked) and asks only the child's ID number,
which cannot travel in an address."""

import re

from tests.support.helpers import ServerThread
from tests.support.personas import CHEN, CHEN_CHILD
from tests.support.session import logged_in


async def test_the_county_start_form_takes_the_applicant_from_the_login(
    county: ServerThread, sandbox: ServerThread
) -> None:
    chen = await logged_in(county, sandbox, CHEN)
    form = await chen.get("/apply/primary")
    assert form.status_code == 200
    applicant = re.search(r'<p id="applicant">(.*?)</p>', form.text, re.S)
    assert applicant and "陈*" in applicant.group(1) and "320506********0333" in applicant.group(1)
    assert CHEN not in form.text  # masked, never in full
    assert re.findall(r'<input type="text" id="(\w+)"', form.text) == ["child_id"]
    typo = await chen.post("/apply/primary", data={"child_id": CHEN_CHILD[:-1], "consent": "1"})
    assert typo.status_code == 400 and 'id="applicant"' in typo.text  # kept on an error too
    await chen.aclose()
