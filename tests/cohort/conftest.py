"""The run's district: NORTH (平江) with 2 seats, its 统筹 school SOUTH (沧浪) with 1."""

import pytest

from ruxue.kit.db import Database
from tests.support.cohort import two_schools


@pytest.fixture
async def district(db: Database, schools: None) -> None:
    await two_schools(db)
