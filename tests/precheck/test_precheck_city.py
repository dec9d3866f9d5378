"""The precheck over a small generated city: every edge case of the generator meets the rules."""

import asyncio
import csv
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from ruxue.dataset.generate import generate_city
from ruxue.dataset.schemas import Dataset
from ruxue.dataset.service import parse_dataset
from ruxue.enrollment.gather import DepartmentDown, StepError
from ruxue.exchange.client import ExchangeClient
from ruxue.kit.db import Database
from ruxue.policy.rules import Decision
from ruxue.precheck import precheck_run
from ruxue.precheck.gather_many import Failure
from ruxue.precheck.precheck import (
    COLUMNS,
    Row,
    assess_children,
    assess_family,
    cohort,
    parents_of,
    row,
)
from ruxue.precheck.precheck_run import RunDir, RunOptions
from ruxue.precheck.service import precheck
from ruxue.sandbox.app import create_sandbox_app
from ruxue.schools.service import import_schools
from ruxue.settings import Settings
from tests.support.helpers import ServerThread


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


@pytest.mark.slow
async def test_batched_decisions_equal_one_child_at_a_time(
    city_client: tuple[ExchangeClient, Dataset], db: Database
) -> None:
    """The run's batched path decides every child as the single-call path does, on the same
    facts: same outcome, school, category, reasons, missing materials and note."""
    client, city = city_client
    children = await cohort(client, 2026, "primary")
    gate = asyncio.Semaphore(16)

    async def one_by_one(child: dict[str, Any]) -> Row:
        parents = parents_of(child)
        async with gate:
            try:
                result: Decision | Failure = await assess_family(
                    db, client, 2026, "primary", child["id_number"], parents
                )
            except (StepError, DepartmentDown) as exc:
                result = exc
        return row(child, parents, result)

    single = await asyncio.gather(*(one_by_one(c) for c in children))
    batched = await assess_children(db, client, 2026, "primary", children)
    assert batched == single
    known = {p.id_number for p in city.persons}
    fell_back = [
        c
        for c in children
        if c["father_id_number"] not in known | {None} and c["mother_id_number"] in known
    ]
    assert fell_back  # the city has children whose first parent the police do not know
    assert {r["decision"] for r in batched} >= {"notice_issued", "needs_materials", "rejected"}


@pytest.mark.slow
async def test_a_stopped_run_goes_on_where_it_stopped(
    city_client: tuple[ExchangeClient, Dataset],
    db: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client, _ = city_client
    options = RunOptions(2026, "primary", batch_size=25, concurrency=1)
    whole = tmp_path / "whole.csv"
    await precheck(db, client, options, whole)

    class Killed(Exception):
        pass

    def stop_after_two_chunks(done: int, total: int) -> None:
        if done >= 50:
            raise Killed

    out = tmp_path / "pre.csv"
    with pytest.raises(ExceptionGroup) as stopped:
        await precheck(db, client, options, out, stop_after_two_chunks)
    assert stopped.group_contains(Killed)
    assert not out.exists()
    assert len(list(RunDir.beside(out).path.glob("chunk-*.csv"))) == 2

    assessed: list[int] = []
    real = precheck_run.assess_children

    async def counting(*args: Any) -> list[Row]:
        rows = await real(*args)
        assessed.append(len(rows))
        return rows

    monkeypatch.setattr(precheck_run, "assess_children", counting)
    reported: list[int] = []
    counts = await precheck(db, client, options, out, lambda done, total: reported.append(done))
    assert reported[0] == 50  # the first run's chunks count as done
    assert sum(assessed) == reported[-1] - 50 == sum(counts.values()) - 50
    assert out.read_bytes() == whole.read_bytes()
    assert not RunDir.beside(out).path.exists()


async def test_a_run_with_other_arguments_starts_afresh(
    city_client: tuple[ExchangeClient, Dataset], db: Database, tmp_path: Path
) -> None:
    client, _ = city_client
    out = tmp_path / "pre.csv"
    run = RunDir.beside(out)
    run.open({"year": 2026, "batch_size": 10})
    run.save(0, [dict.fromkeys(COLUMNS, "stale")])
    counts = await precheck(db, client, RunOptions(2026, "primary", batch_size=40), out)
    assert "stale" not in counts and sum(counts.values()) > 100
