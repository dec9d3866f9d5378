"""The case-report API probed from the app's OpenAPI document (schemathesis) as a registered
county with a valid token: no 5xx, every answer documented and in its schema."""

import asyncio

import httpx
import pytest
import schemathesis

from ruxue.kit.db import Database
from tests.support.county import register, token
from tests.support.helpers import ServerThread
from tests.support.web import probe_all

pytestmark = pytest.mark.slow


async def test_case_report_api_as_a_county(web: ServerThread, db: Database) -> None:
    secret = await register(db, "wuzhong", "320506")
    async with httpx.AsyncClient(base_url=web.url) as http:
        auth = await token(http, "wuzhong", secret)
    schema = schemathesis.openapi.from_url(f"{web.url}/openapi.json").include(
        path_regex="^/api/v1/county/"
    )
    assert await asyncio.to_thread(probe_all, schema, auth) == []
