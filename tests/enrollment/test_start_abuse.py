"""Issue 22, abuse: starting a case answers a registered child of another family and an unknown
number alike (same status, same text), and an applicant gets only so many such answers a day;
guardianship requests (each texts the child's parents) are limited per applicant."""

import datetime as dt

from ruxue.enrollment.service import START_REFUSALS
from ruxue.guardianship.service import PER_APPLICANT
from ruxue.kit.db import Database
from ruxue.person.rules import make_id_number
from tests.support.guardianship import FILE
from tests.support.helpers import ServerThread
from tests.support.personas import CHEN, WANG_CHILD, ZHAO
from tests.support.session import logged_in
from tests.support.sms import sms_count

UNKNOWN = make_id_number("320508", dt.date(2020, 3, 3), 977)  # valid, and nobody's


async def test_another_familys_child_and_an_unknown_number_get_one_answer_then_a_limit(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database
) -> None:
    stranger = await logged_in(web, sandbox, CHEN)

    async def start(child: str) -> tuple[int, str]:
        body = {"segment": "primary", "child_id_number": child, "consent": True}
        answer = await stranger.post("/api/v1/cases", json=body)
        return answer.status_code, answer.text

    real, unknown = await start(WANG_CHILD), await start(UNKNOWN)
    assert real == unknown and real[0] == 403, (real, unknown)
    for _ in range(START_REFUSALS.count - 2):
        assert await start(UNKNOWN) == unknown
    limited, text = await start(WANG_CHILD)
    assert limited == 429 and "操作过于频繁" in text
    assert (await start(UNKNOWN))[0] == 429
    await stranger.aclose()


async def test_guardianship_requests_are_limited_per_applicant(
    web: ServerThread, sandbox: ServerThread, db: Database
) -> None:
    grandpa = await logged_in(web, sandbox, ZHAO)
    texts = await sms_count(sandbox)
    for _ in range(PER_APPLICANT.count):
        answer = await grandpa.post("/api/v1/guardianship", json=FILE)
        assert answer.status_code in (201, 400), answer.text  # filed, then "请勿重复提交"
    over = await grandpa.post("/api/v1/guardianship", json=FILE)
    assert over.status_code == 429 and "操作过于频繁" in over.json()["message"]
    assert await sms_count(sandbox) <= texts + 1  # one request texted the parents, once
    await grandpa.aclose()
