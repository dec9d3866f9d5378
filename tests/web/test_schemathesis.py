"""The whole JSON API probed from its own OpenAPI document (schemathesis), anonymous and as a
signed-in guardian: no 5xx, every answer in a documented status and in its documented schema."""

import asyncio

import pytest
import schemathesis

from ruxue.kit.db import Database
from tests.support.helpers import ServerThread
from tests.support.personas import WANG
from tests.support.session import logged_in
from tests.support.web import probe_all

pytestmark = pytest.mark.slow


def _schema(web: ServerThread) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_url(f"{web.url}/openapi.json").include(path_regex="^/api/")


def test_anonymous(web: ServerThread, db: Database) -> None:
    assert probe_all(_schema(web), {}) == []


async def test_signed_in_guardian(web: ServerThread, sandbox: ServerThread, db: Database) -> None:
    http = await logged_in(web, sandbox, WANG)
    cookie = {"Cookie": f"ruxue_session={http.cookies['ruxue_session']}"}
    await http.aclose()
    assert await asyncio.to_thread(probe_all, _schema(web), cookie) == []
