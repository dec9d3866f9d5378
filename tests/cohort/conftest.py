"""The run's district: NORTH (平江) with 2 seats, its 统筹 school SOUTH (沧浪) with 1."""

import pytest

from ruxue.cohort import publication as service
from ruxue.kit.db import Database
from tests.support.cohort import overflow_north_to_south, two_schools


@pytest.fixture
async def district(db: Database, schools: None, monkeypatch: pytest.MonkeyPatch) -> None:
    await two_schools(db)
    monkeypatch.setattr(service, "overflow_of", overflow_north_to_south)
