"""The whole JSON API probed from its own OpenAPI document (schemathesis), anonymous and as a
signed-in guardian: no 5xx, every answer in a documented status and in its documented schema."""

import asyncio

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import checks

from ruxue.kit.db import Database
from tests.enrollment.test_assess import WANG
from tests.helpers import ServerThread
from tests.web.session import logged_in

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]
EXAMPLES = settings(
    max_examples=8, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True
)


def probe_all(schema: schemathesis.BaseSchema, headers: dict[str, str]) -> list[str]:
    """Every operation with a bounded number of generated requests; the failures, named."""
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @EXAMPLES
        def probe(case: schemathesis.Case) -> None:
            case.call_and_validate(checks=CHECKS, headers=headers)

        try:
            probe()
        except Exception as exc:  # a check failed: name the operation and what broke
            failures.append(f"{operation.label}: {str(exc)[:600]}")
    return failures


def _schema(web: ServerThread) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_url(f"{web.url}/openapi.json").include(path_regex="^/api/")


def test_anonymous(web: ServerThread, db: Database) -> None:
    assert probe_all(_schema(web), {}) == []


async def test_signed_in_guardian(web: ServerThread, sandbox: ServerThread, db: Database) -> None:
    http = await logged_in(web, sandbox, WANG)
    cookie = {"Cookie": f"ruxue_session={http.cookies['ruxue_session']}"}
    await http.aclose()
    assert await asyncio.to_thread(probe_all, _schema(web), cookie) == []
