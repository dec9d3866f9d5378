"""The operators' metrics, scraped from the app during a guardian's whole flow: the request
counters by route template (never a raw path with a case number), the department calls, the jobs
queued, and the database's gauges computed at scrape time."""

import httpx
import pytest

from ruxue.settings import Settings
from tests.support.flow import apply
from tests.support.helpers import ServerThread
from tests.support.metrics import samples, total, value
from tests.support.personas import LIU, WANG, WANG_CHILD
from tests.support.session import logged_in

SUBMIT = "/api/v1/cases/{case_no}/submit"


async def scrape(web: ServerThread) -> dict:  # type: ignore[type-arg]
    async with httpx.AsyncClient(base_url=web.url) as http:
        answer = await http.get("/metrics")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain")
    return samples(answer.text)


async def test_a_flow_moves_the_counters_and_the_gauges(
    web: ServerThread,
    sandbox: ServerThread,
    schools: None,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(settings, "metrics_cache_s", 0.0)  # every scrape reads the database
    before = await scrape(web)
    guardian = await logged_in(web, sandbox, WANG)
    no = (await apply(guardian, sandbox, "primary", WANG_CHILD, LIU))["case_no"]
    after = await scrape(web)

    moved = value(after, "ruxue_http_requests_total", method="POST", route=SUBMIT, status="200")
    assert (
        moved
        - value(before, "ruxue_http_requests_total", method="POST", route=SUBMIT, status="200")
        == 1
    )
    assert (
        value(after, "ruxue_http_request_duration_seconds_count", method="POST", route=SUBMIT) >= 1
    )
    assert not [key for key in after if no in str(key)]  # no case number in any label
    calls = total(after, "ruxue_department_calls_total", department="police", outcome="ok")
    assert calls > total(before, "ruxue_department_calls_total", department="police", outcome="ok")
    assert value(after, "ruxue_breaker_state", department="police") == 0  # closed
    assert value(after, "ruxue_cases", status="notice_issued") >= 1
    assert value(after, "ruxue_archive_packages", state="waiting") >= 1  # its build is queued
    build = "build"  # huey names a job by its function
    assert value(after, "ruxue_queue_depth", job=build) >= 1  # the test queue is never consumed
    assert value(after, "ruxue_queue_oldest_age_seconds", job=build) >= 0
    assert total(after, "ruxue_jobs_enqueued_total", job=build) > total(
        before, "ruxue_jobs_enqueued_total", job=build
    )
    assert (
        value(after, "ruxue_sms", status="pending") + value(after, "ruxue_sms", status="sent") >= 1
    )
    assert value(after, "ruxue_scrape_ok", source="database") == 1
    assert value(after, "ruxue_scrape_ok", source="queue") == 1


async def test_metrics_refuse_a_proxied_request(web: ServerThread) -> None:
    async with httpx.AsyncClient(base_url=web.url) as http:
        proxied = await http.get("/metrics", headers={"x-forwarded-for": "127.0.0.1"})
    assert proxied.status_code == 404


async def test_metrics_refuse_a_peer_not_allowed(
    web: ServerThread, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings, "metrics_allow", [])
    async with httpx.AsyncClient(base_url=web.url) as http:
        assert (await http.get("/metrics")).status_code == 404
