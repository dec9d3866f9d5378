"""Issue 22, domain.md "Single parent": step 3 may be skipped unless the records show the applicant
married to the child's other parent; then the other parent must authorise, and an applicant who
says the records are wrong goes to review with the documents. 王磊 is married to 刘芳, the mother
of 王小明 on the police record; 李娜 is the only parent on 李思琪's record."""

import datetime as dt

import httpx
from msgspec.structs import replace

from ruxue.dataset.schemas import Marriage
from ruxue.policy.loader import load_policy
from ruxue.policy.rules import decide, married_other_parent
from tests.support.builders import SCHOOLS, YEAR, family, with_certificates
from tests.support.helpers import ServerThread
from tests.support.personas import LIU, WANG, WANG_CHILD
from tests.support.session import logged_in

START = {"segment": "primary", "child_id_number": WANG_CHILD, "consent": True}


def _skipped(status: str) -> tuple[object, object]:
    """A two-parent family whose applicant skipped step 3, the marriage with ``status``."""
    facts = with_certificates(family())
    mother = facts.spouse
    assert mother is not None
    facts.spouse = None
    when = dt.date(2015, 1, 1)
    facts.marriages = [Marriage("J1", facts.guardian.id_number, mother.id_number, when, status)]
    return facts, mother.id_number


def test_the_rule_names_the_other_parent_only_when_married() -> None:
    married, mother = _skipped("married")
    assert married_other_parent(married) == mother  # type: ignore[arg-type]
    divorced, _ = _skipped("divorced")
    assert married_other_parent(divorced) is None  # type: ignore[arg-type]
    someone_else = replace(married, marriages=[])  # type: ignore[type-var]
    assert married_other_parent(someone_else) is None


def test_a_skip_the_records_contradict_goes_to_review_in_every_channel() -> None:
    policy = load_policy(YEAR, "320508")
    married, _ = _skipped("married")
    decision = decide(policy, married, SCHOOLS)  # type: ignore[arg-type]
    assert decision.outcome == "manual_review" and "SINGLE_PARENT_CONTESTED" in decision.reasons
    divorced, _ = _skipped("divorced")
    assert decide(policy, divorced, SCHOOLS).outcome == "notice_issued"  # type: ignore[arg-type]


async def _finish(http: httpx.AsyncClient, no: str) -> dict[str, object]:
    assert (await http.post(f"/api/v1/cases/{no}/checks")).status_code == 200
    homes = (await http.get(f"/api/v1/cases/{no}/residences")).json()
    await http.post(f"/api/v1/cases/{no}/residence", json={"cert_no": homes["suggested"]})
    assert (await http.post(f"/api/v1/cases/{no}/materials/done")).status_code == 200
    submitted = await http.post(f"/api/v1/cases/{no}/submit")
    assert submitted.status_code == 200, submitted.text
    return submitted.json()  # type: ignore[no-any-return]


async def test_a_married_parent_cannot_skip_and_a_contested_claim_goes_to_review(
    web: ServerThread, sandbox: ServerThread, schools: None
) -> None:
    http = await logged_in(web, sandbox, WANG)
    no = (await http.post("/api/v1/cases", json=START)).json()["case_no"]

    refused = await http.post(f"/api/v1/cases/{no}/single-parent")
    assert refused.status_code == 400, refused.text
    assert "已婚" in refused.json()["message"] and LIU[-4:] in refused.json()["message"]
    assert LIU not in refused.text
    page = await http.get(f"/cases/{no}/single")  # the page shows the records before the skip
    assert page.status_code == 200 and 'id="records-married"' in page.text
    assert 'id="single-contest"' in page.text and 'id="single-confirm"' not in page.text
    by_form = await http.post(f"/cases/{no}/single", data={})
    assert by_form.status_code == 303 and by_form.headers["location"].endswith("/step/3")

    contested = await http.post(f"/api/v1/cases/{no}/single-parent", params={"contested": True})
    assert contested.status_code == 200, contested.text
    case = await _finish(http, no)
    assert case["outcome"] == "manual_review", case
    assert "婚姻登记记录显示" in str(case), case
    await http.aclose()
