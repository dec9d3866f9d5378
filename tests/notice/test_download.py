"""The notice's download off the request path: before the job made the document, 202 "being
prepared" (with Retry-After) and the notice's page says so and looks again; after it, the job's
bytes; a job late by ``notice_render_after_s`` (the worker down) is done by the download itself.
The 不予通过告知书 is rendered once and kept."""

import datetime as dt
import re

import httpx
import pytest
from huey import Huey
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select, update

from ruxue.cases.models import Case
from ruxue.elicence.models import Licence
from ruxue.kit.db import Database
from ruxue.notice import service as notice_service
from ruxue.notice import tasks
from ruxue.notice.models import RejectionLetter
from ruxue.notice.service import retry_after_s
from ruxue.settings import Settings
from tests.support.flow import apply
from tests.support.helpers import ServerThread
from tests.support.materials import PNG, _at_materials_step
from tests.support.notice import make_document
from tests.support.personas import CHEN, LIU, WANG, WANG_CHILD, ZHAO, ZHAO_CHILD
from tests.support.review import BOTH, PINGJIANG, SUN, SUN_CHILD, WU
from tests.support.session import logged_in
from tests.support.staff import make_staff, staff_client


def queued(huey: Huey) -> list[str]:
    return sorted(task.name.rsplit(".", 1)[-1] for task in huey.pending())


async def _licence(db: Database, case_no: str) -> Licence:
    async with db.read_session() as session:
        query = select(Licence).join(Case, Case.id == Licence.case_id)
        return (await session.scalars(query.where(Case.case_no == case_no))).one()


async def test_the_notice_is_being_prepared_until_its_job_sealed_it(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database, settings: Settings,
    test_queue: Huey,
) -> None:  # fmt: skip
    wang = await logged_in(web, sandbox, WANG)
    test_queue.flush()
    case = await apply(wang, sandbox, "primary", WANG_CHILD, LIU)
    no, url = case["case_no"], case["notice_url"]
    assert "register" in queued(test_queue)  # the filing job, which seals, queued by the submit
    first = await wang.get(url)
    # 2 s for a notice just issued (later the longer it waits: test_retry_after_grows_with_the_wait)
    assert first.status_code == 202 and 2 <= int(first.headers["retry-after"]) <= 30
    assert first.json() == {"status": "preparing", "message": "学位告知书正在生成，请稍候"}
    assert (await _licence(db, no)).pdf is None  # nothing rendered in the request
    page = await wang.get(f"/cases/{no}/notice.html")
    assert "学位告知书（PDF）正在生成，请稍候" in page.text and 'id="notice-pdf"' not in page.text
    assert re.search(r'hx-trigger="every \d+s"', page.text)  # the page looks again by itself
    opened = await wang.get(url, headers={"accept": "text/html,*/*"})  # the link, in a browser
    assert opened.status_code == 303 and opened.headers["location"] == f"/cases/{no}/notice.html"

    await make_document(db, settings, no)  # the job
    sealed = (await _licence(db, no)).pdf
    pdf = await wang.get(url)
    assert pdf.status_code == 200 and pdf.content == sealed and sealed.startswith(b"%PDF")
    page = await wang.get(f"/cases/{no}/notice.html")
    assert f'id="notice-pdf" href="/api/v1/cases/{no}/notice.pdf"' in page.text
    assert "正在生成" not in page.text and "hx-trigger" not in page.text
    await wang.aclose()


@pytest.mark.parametrize(("late_s", "sealed_by_the_download"), [(59, False), (61, True)])
async def test_a_notice_its_job_has_not_sealed_in_time_is_sealed_by_the_download(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database, settings: Settings,
    late_s: int, sealed_by_the_download: bool,
) -> None:  # fmt: skip
    assert settings.notice_render_after_s == 60
    wang = await logged_in(web, sandbox, WANG)
    case = await apply(wang, sandbox, "primary", WANG_CHILD, LIU)
    issued = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=late_s)  # the worker is down
    async with db.write_session() as session:
        await session.execute(update(Licence).values(issued_at=issued))
    answer = await wang.get(case["notice_url"])
    licence = await _licence(db, case["case_no"])
    if sealed_by_the_download:
        assert answer.status_code == 200 and answer.content == licence.pdf
        assert licence.signature_hex and licence.status == "pending"  # the job still files it
        assert (await wang.get(case["notice_url"])).content == licence.pdf  # sealed once
    else:
        assert answer.status_code == 202 and licence.pdf is None
    await wang.aclose()


async def test_the_rejection_letter_is_rendered_once_by_its_job_and_kept(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database, test_queue: Huey,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    renders: list[str] = []
    real = notice_service.render_rejection
    monkeypatch.setattr(
        notice_service, "render_rejection", lambda data: renders.append(data.rejection_no) or real(data)
    )  # fmt: skip
    zhao = await logged_in(web, sandbox, ZHAO)
    test_queue.flush()
    case = await apply(zhao, sandbox, "primary", ZHAO_CHILD, None)  # a 2013 child for grade 1
    no = case["case_no"]
    assert case["outcome"] == "rejected" and "keep" in queued(test_queue)
    url = f"/api/v1/cases/{no}/rejection.pdf"
    first = await zhao.get(url)
    assert first.status_code == 202 and first.json()["message"] == "不予通过告知书正在生成，请稍候"
    assert renders == []
    async with db.read_session() as session:
        case_id = await session.scalar(select(Case.id).where(Case.case_no == no))
    assert case_id is not None
    assert await tasks.keep_letter(db, case_id) == "kept"  # the job, as the worker runs it
    assert await tasks.keep_letter(db, case_id) == "kept"  # run twice: still one letter
    assert renders == [case["rejection_no"]]
    downloads = [await zhao.get(url) for _ in range(2)]
    async with db.read_session() as session:
        kept = (await session.scalars(select(RejectionLetter))).one()
    assert [d.status_code for d in downloads] == [200, 200]
    assert downloads[0].content == downloads[1].content == kept.pdf
    assert kept.rejection_no == case["rejection_no"] and len(kept.pdf_sm3) == 64
    assert renders == [case["rejection_no"]]  # never again on a download
    await zhao.aclose()


async def test_a_rejection_its_job_has_not_rendered_in_time_is_rendered_by_the_download(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database
) -> None:
    zhao = await logged_in(web, sandbox, ZHAO)
    case = await apply(zhao, sandbox, "primary", ZHAO_CHILD, None)
    url = f"/api/v1/cases/{case['case_no']}/rejection.pdf"
    async with db.write_session() as session:
        late = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=61)
        await session.execute(update(Case).values(updated_at=late))
    answer = await zhao.get(url)
    async with db.read_session() as session:
        kept = await session.scalar(select(RejectionLetter.pdf))
        letters = await session.scalar(select(func.count()).select_from(RejectionLetter))
    assert answer.status_code == 200 and answer.content == kept and letters == 1
    assert (await zhao.get(url)).content == kept
    async with httpx.AsyncClient(base_url=web.url) as anonymous:
        assert (await anonymous.get(url)).status_code in (401, 403)
    await zhao.aclose()


async def test_the_desk_and_a_reviewer_queue_the_job_that_seals_the_notice(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database, test_queue: Huey
) -> None:
    """Every channel issues its notice through the case lifecycle, whose e-licence subscriber
    queues the filing job that seals it (the online submit and the cohort's publication:
    above and ``tests/cohort/test_publish.py``)."""
    desk = await staff_client(web, "desk-n1", await make_staff(db, "desk-n1", "desk", PINGJIANG))
    test_queue.flush()
    registered = await desk.post(
        "/api/v1/staff/offline-cases",
        json={
            "segment": "primary", "guardian_id_number": SUN, "child_id_number": SUN_CHILD,
            "spouse_id_number": WU, "consent_signed": True,
            "originals_seen": ["HUKOU_BOOKLET", *BOTH],
        },
    )  # fmt: skip
    assert registered.json()["status"] == "notice_issued", registered.text
    assert "register" in queued(test_queue)

    guardian = await logged_in(web, sandbox, CHEN)  # 吴中区: an upload sends the case to review
    no = await _at_materials_step(guardian)
    png = {"file": ("c.png", PNG, "image/png")}
    await guardian.post(
        f"/api/v1/cases/{no}/materials/upload", data={"kind": "BIRTH_CERTIFICATE"}, files=png
    )
    await guardian.post(f"/api/v1/cases/{no}/materials/done")
    assert (await guardian.post(f"/api/v1/cases/{no}/submit")).json()["outcome"] == "manual_review"
    reviewer = await staff_client(
        web, "rev-n1", await make_staff(db, "rev-n1", "reviewer", district="320506")
    )
    test_queue.flush()
    url = f"/api/v1/review/cases/{no}/approve"
    approved = await reviewer.post(url, json={"school_code": "3205060101"})
    assert approved.status_code == 200 and approved.json()["status"] == "notice_issued", (
        approved.text
    )
    assert "register" in queued(test_queue)
    for client in (desk, guardian, reviewer):
        await client.aclose()


def test_retry_after_grows_with_the_wait() -> None:
    """A family told "being prepared" asks again after as long as the document has waited, from 2
    to 30 s: a backlog costs a few polls per family, not one every 2 s (issue 24, round 2)."""
    assert [retry_after_s(age) for age in (0, 1.9, 2, 4.5, 8, 16, 29, 31, 600)] == [
        2, 2, 2, 4, 8, 16, 29, 30, 30,
    ]  # fmt: skip


@given(st.floats(min_value=0, max_value=1e6), st.floats(min_value=0, max_value=1e6))
def test_retry_after_is_bounded_and_never_shrinks_as_the_wait_grows(a: float, b: float) -> None:
    low, high = sorted((a, b))
    assert 2 <= retry_after_s(low) <= retry_after_s(high) <= 30
