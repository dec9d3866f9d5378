"""A ruxue in county mode, beside the city of the session's ``web``."""

from collections.abc import Iterator

import pytest

from ruxue.settings import Settings
from tests.county.helpers import CITY_URL
from tests.helpers import ServerThread, free_port


@pytest.fixture
def county(settings: Settings, sandbox: ServerThread) -> Iterator[ServerThread]:
    """A ruxue in county mode for 吴中区 (its city at CITY_URL), logging guardians in as the city
    does in these tests (the sandbox)."""
    from ruxue.web.app import create_app

    port = free_port()
    config = {
        "public_url": f"http://127.0.0.1:{port}",
        "upstream_url": CITY_URL,
        "upstream_client_id": "wuzhong",
        "county_district": "320506",
    }
    with ServerThread(create_app(settings.model_copy(update=config)), port) as server:
        yield server
