"""The precheck over a small generated city: every edge case of the generator meets the rules."""

import csv
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import orjson
import pytest

from ruxue.dataset.generate import generate_city
from ruxue.dataset.schemas import Dataset
from ruxue.dataset.service import parse_dataset
from ruxue.enrollment.precheck_run import RunOptions, precheck
from ruxue.exchange.client import ExchangeClient
from ruxue.kit.db import Database
from ruxue.sandbox.app import create_sandbox_app
from ruxue.schools.service import import_schools
from ruxue.settings import Settings
from tests.helpers import ServerThread


@pytest.fixture
async def city_client(
    settings: Settings, db: Database
) -> AsyncIterator[tuple[ExchangeClient, Dataset]]:
    data = parse_dataset(orjson.dumps(generate_city(250, seed=3, year=2026)))
    async with db.write_session() as session:
        await import_schools(session, data)
    with ServerThread(create_sandbox_app(data, settings, "http://127.0.0.1")) as server:
        client = ExchangeClient(
            settings.model_copy(update={"exchange_url": f"{server.url}/exchange"}), db
        )
        yield client, data
        await client.aclose()


async def test_generated_city_precheck(
    city_client: tuple[ExchangeClient, Dataset], db: Database, tmp_path: Path
) -> None:
    client, city = city_client
    out = tmp_path / "pre.csv"
    counts = await precheck(db, client, RunOptions(2026, "primary"), out)
    with out.open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    cohort = [p for p in city.persons if "2019-09-01" <= p.birth_date.isoformat() <= "2020-08-31"]
    assert len(rows) == sum(counts.values()) == len(cohort) > 100
    assert {"notice_issued", "needs_materials", "rejected"} <= set(counts)
    assert counts["notice_issued"] > 0.6 * len(rows)
    reasons = Counter(r for row in rows for r in row["reasons"].split())
    assert reasons["AGE_OUT_OF_RANGE"] == 0  # the cohort is the age window itself
    assert set(reasons) <= {
        "XUEJI_EXISTS",
        "NO_CATCHMENT",
        "SMALL_AREA_NOT_UNIQUE",
        "GUARDIANSHIP_UNVERIFIED",
    }
    categories = Counter(r["category"] for r in rows if r["decision"] == "notice_issued")
    assert categories["A"] and categories["B"] and categories["C"]
    known = {p.id_number for p in city.persons}
    orphans = [
        c for c in cohort if c.father_id_number not in known and c.mother_id_number not in known
    ]
    assert counts["not_assessed"] == len(orphans)  # only children with no parent in the registry
