"""Numbers staff key in from originals (and the property certificate a guardian chooses) are kept
in the trace with their last four characters only; in full only in the case's encrypted facts."""

import json
import re

from sqlalchemy import select

from ruxue.cases.models import Case, CaseEvent
from ruxue.kit.db import Database
from ruxue.policy.facts import read_facts
from tests.support.helpers import ServerThread
from tests.support.review import (
    BOTH,
    PINGJIANG,
    SUN,
    SUN_CHILD,
    WU,
    sun_needs_materials,
)
from tests.support.staff import make_staff, staff_client

BIRTH_NO, MARRIAGE_NO = "P320000999", "J320508-2010-001234"
KEYED = {"BIRTH_CERTIFICATE": BIRTH_NO, "MARRIAGE_CERTIFICATE": MARRIAGE_NO}
ID_NUMBER = re.compile(r"\d{17}[\dXx]")


async def trace_and_facts(db: Database, case_no: str) -> tuple[str, dict[str, str], list[str]]:
    """The whole trace as text, the numbers in the facts, the property certificates on file."""
    async with db.read_session() as session:
        case = (await session.scalars(select(Case).where(Case.case_no == case_no))).one()
        details = (
            await session.scalars(select(CaseEvent.detail).where(CaseEvent.case_id == case.id))
        ).all()
        facts = read_facts(case)
    homes = [p.cert_no for p in facts.residences]
    return json.dumps(details, ensure_ascii=False), facts.keyed_in, homes


def assert_clean(trace: str, homes: list[str]) -> None:
    for number in (BIRTH_NO, MARRIAGE_NO, *homes):
        assert number not in trace
    assert not ID_NUMBER.search(trace), trace


async def test_a_desk_registration_keeps_keyed_numbers_masked_in_the_trace(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database
) -> None:
    desk = await staff_client(web, "desk-k1", await make_staff(db, "desk-k1", "desk", PINGJIANG))
    registered = await desk.post(
        "/api/v1/staff/offline-cases",
        json={
            "segment": "primary",
            "guardian_id_number": SUN,
            "child_id_number": SUN_CHILD,
            "spouse_id_number": WU,
            "consent_signed": True,
            "originals_seen": ["HUKOU_BOOKLET", *BOTH],
            "keyed_in": KEYED,
        },
    )
    assert registered.status_code in (200, 201), registered.text
    trace, keyed, homes = await trace_and_facts(db, registered.json()["case_no"])
    assert_clean(trace, homes)
    assert "******0999" in trace and "***************1234" in trace
    assert keyed == KEYED  # in full, encrypted with the facts
    await desk.aclose()


async def test_originals_seen_later_and_the_chosen_home_are_masked_too(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database
) -> None:
    guardian, no = await sun_needs_materials(web, sandbox)
    desk = await staff_client(web, "desk-k2", await make_staff(db, "desk-k2", "desk", PINGJIANG))
    seen = await desk.post(
        f"/api/v1/staff/cases/{no}/originals", json={"materials": BOTH, "keyed_in": KEYED}
    )
    assert seen.status_code == 200, seen.text
    trace, keyed, homes = await trace_and_facts(db, no)
    assert homes and '"choose_residence"' not in trace  # the action is a column, not the detail
    assert_clean(trace, homes)
    assert homes[0][-4:] in trace and "******0999" in trace
    assert keyed == KEYED
    for client in (guardian, desk):
        await client.aclose()
