"""The chunks of a precheck run: each chunk's rows saved as it is done (in a run directory beside
the output), so a run that was stopped and is started again with the same arguments skips what is
done; the CSV is assembled at the end. The run itself is ``precheck.service.precheck``."""

import asyncio
import csv
import os
import shutil
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from ruxue.exchange.client import ExchangeClient
from ruxue.kit.crypto import sm3_hex
from ruxue.kit.db import Database
from ruxue.precheck.precheck import COLUMNS, Row, assess_children, parents_of

Chunk = tuple[int, list[dict[str, Any]]]  # number, children


@dataclass(frozen=True)
class RunOptions:
    year: int
    segment: str
    limit: int | None = None
    batch_size: int = 200  # children per chunk: one consent, a few batched asks per service
    concurrency: int = 4  # chunks in flight per process
    processes: int = 1


@dataclass(frozen=True)
class RunDir:
    """``<out>.parts/``: what the run is (``run.json``) and one CSV per chunk done."""

    path: Path

    @classmethod
    def beside(cls, out: Path) -> "RunDir":
        return cls(out.with_name(out.name + ".parts"))

    def open(self, identity: dict[str, Any]) -> None:
        """Keep the chunks of an earlier run of the same cohort and arguments; drop any other."""
        manifest = self.path / "run.json"
        if manifest.exists() and orjson.loads(manifest.read_bytes()) != identity:
            shutil.rmtree(self.path)
        self.path.mkdir(parents=True, exist_ok=True)
        manifest.write_bytes(orjson.dumps(identity))

    def chunk(self, number: int) -> Path:
        return self.path / f"chunk-{number:06d}.csv"

    def done(self, number: int) -> bool:
        return self.chunk(number).exists()

    def save(self, number: int, rows: Sequence[Row]) -> None:
        tmp = self.chunk(number).with_suffix(f".{os.getpid()}.tmp")
        with tmp.open("w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, COLUMNS)
            writer.writeheader()
            writer.writerows(rows)
        tmp.replace(self.chunk(number))  # a chunk is there whole or not at all

    def assemble(self, out: Path) -> Counter[str]:
        rows: list[Row] = []
        for path in sorted(self.path.glob("chunk-*.csv")):
            with path.open(newline="", encoding="utf-8") as f:
                rows += csv.DictReader(f)
        tmp = out.with_suffix(out.suffix + ".tmp")
        with tmp.open("w", newline="", encoding="utf-8-sig") as f:  # Excel opens it as Chinese
            writer = csv.DictWriter(f, COLUMNS)
            writer.writeheader()
            writer.writerows(sorted(rows, key=lambda r: r["child"]))
        tmp.replace(out)
        shutil.rmtree(self.path)
        return Counter(r["decision"] for r in rows)


def identity(options: RunOptions, children: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """What makes two runs the same run: the arguments that shape the chunks, and the cohort."""
    listed = "\n".join(c["id_number"] + ":" + ",".join(parents_of(c)) for c in children)
    return {
        "year": options.year,
        "segment": options.segment,
        "limit": options.limit,
        "batch_size": options.batch_size,
        "cohort_sm3": sm3_hex(listed.encode()),
    }


async def run_chunks(
    db: Database,
    client: ExchangeClient,
    options: RunOptions,
    run: RunDir,
    chunks: Sequence[Chunk],
    on_done: Callable[[int], None],
) -> None:
    """Assess and save chunks in this process, ``options.concurrency`` at a time."""
    gate = asyncio.Semaphore(options.concurrency)

    async def one(number: int, children: list[dict[str, Any]]) -> None:
        async with gate:
            rows = await assess_children(db, client, options.year, options.segment, children)
            run.save(number, rows)
        on_done(len(rows))

    async with asyncio.TaskGroup() as tasks:
        for number, children in chunks:
            tasks.create_task(one(number, children))
