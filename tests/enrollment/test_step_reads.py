"""A step that asks the departments reads the case with its consents in one statement (issue 24,
``enrollment.repository.case_with_consents``, joined by case number): a consent given under
another number is still found by its id, and a withdrawn one still refuses the step."""

import httpx
from sqlalchemy import update

from ruxue.exchange.models import Consent
from ruxue.kit.clock import utcnow
from ruxue.kit.db import Database
from tests.support.helpers import ServerThread
from tests.support.personas import ZHAO, ZHAO_CHILD
from tests.support.session import logged_in


async def _draft(http: httpx.AsyncClient, child: str) -> str:
    body = {"segment": "primary", "child_id_number": child, "consent": True}
    created = await http.post("/api/v1/cases", json=body)
    assert created.status_code == 201, created.text
    return str(created.json()["case_no"])


async def test_the_consents_of_a_step_are_found_and_checked(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database
) -> None:
    http = await logged_in(web, sandbox, ZHAO)
    no = await _draft(http, ZHAO_CHILD)
    async with db.write_session() as session:  # a consent not named after the case
        await session.execute(update(Consent).values(case_no=None))
    assert (await http.post(f"/api/v1/cases/{no}/single-parent")).status_code == 200
    async with db.write_session() as session:
        await session.execute(update(Consent).values(withdrawn_at=utcnow()))
    refused = await http.post(f"/api/v1/cases/{no}/checks")
    assert (refused.status_code, refused.json()["error"]) == (403, "consent"), refused.text
    await http.aclose()
