"""``ruxue assess``, ``ruxue precheck`` and ``ruxue schools import``."""

import asyncio
import time
from pathlib import Path

import orjson
import typer
from rich.console import Console

from ruxue.cli.progress import progress_bar
from ruxue.dataset.messages import in_chinese
from ruxue.dataset.service import DatasetError, load_dataset
from ruxue.enrollment.gather import DepartmentDown, StepError
from ruxue.exchange.client import ExchangeClient
from ruxue.kit.db import Database
from ruxue.kit.errors import Unavailable
from ruxue.person.rules import IdNumberError
from ruxue.precheck.assess import assess as run_assess
from ruxue.schools.service import import_schools
from ruxue.settings import get_settings

console = Console(stderr=True)
schools_app = typer.Typer(
    help="Schools and catchments (the education bureau's data).", no_args_is_help=True
)


def assess(
    year: int = typer.Option(...), segment: str = typer.Option(..., help="primary | junior"),
    guardian: str = typer.Option(..., help="guardian's ID number"), child: str = typer.Option(..., help="child's ID number"),
    spouse: str | None = typer.Option(None, help="the other parent's ID number"),
    property_cert: str | None = typer.Option(None, "--property", help="certificate number of the chosen residence"),
) -> None:  # fmt: skip
    """Run the decision pipeline against the departments without creating a case; prints JSON."""
    if segment not in ("primary", "junior"):
        console.print("学段应为 primary 或 junior")
        raise typer.Exit(2)

    async def run() -> dict[str, object]:
        settings = get_settings()
        db = Database(settings.resolved_database_url())
        client = ExchangeClient(settings, db)
        try:
            d = await run_assess(db, client, year=year, segment=segment, guardian=guardian, child=child,
                                 spouse=spouse, property_cert=property_cert)  # fmt: skip
        finally:
            await client.aclose()
            await db.dispose()
        return {"decision": d.outcome, "school_code": d.school_code, "category": d.category,
                "reasons": d.reasons, "missing": d.missing}  # fmt: skip

    try:
        result = asyncio.run(run())
    except IdNumberError as exc:
        console.print(f"身份证号码无效：{exc.message}")
        raise typer.Exit(2) from None
    except (StepError, DepartmentDown) as exc:
        console.print(exc.message)
        raise typer.Exit(1) from None
    typer.echo(orjson.dumps(result).decode())


@schools_app.command("import")
def schools_import(file: Path = typer.Argument(..., exists=True, dir_okay=False)) -> None:
    """Load the schools of a dataset file, replacing each named district's set."""
    try:
        data = load_dataset(file)
    except DatasetError as exc:
        console.print(f"[red]数据集无效，未导入任何数据[/red]（{len(exc.problems)} 处问题）：")
        for path, message in exc.problems:
            console.print(f"  {path}: {in_chinese(message)}", markup=False, soft_wrap=True)
        raise typer.Exit(1) from None

    async def run() -> dict[str, int]:
        db = Database(get_settings().resolved_database_url())
        try:
            async with db.write_session() as session:
                return await import_schools(session, data)
        finally:
            await db.dispose()

    counts = asyncio.run(run())
    console.print(
        f"已导入 {counts['districts']} 个区的 {counts['schools']} 所学校、{counts['compounds']} 个小区"
    )
    if "seat_history" in counts:
        console.print(
            f"已导入学位使用记录 {counts['seat_history']} 条、优先入学名单 {counts['priority_children']} 条"
            "（替换此前导入的记录）"
        )


def precheck(
    year: int = typer.Option(...),
    segment: str = typer.Option(..., help="primary | junior"),
    out: Path = typer.Option(..., help="CSV file to write"),
    processes: int = typer.Option(1, min=1, max=64, help="processes, each its own event loop"),
    batch_size: int = typer.Option(200, min=1, max=1000, help="children per chunk (batched asks)"),
    concurrency: int = typer.Option(4, min=1, max=64, help="chunks in flight per process"),
    limit: int | None = typer.Option(None, help="only the first N children (a trial run)"),
) -> None:
    """Assess every child of the cohort in the departments' data (the proactive service).

    Each chunk's results are saved in ``OUT.parts/`` as it is done: a run that was stopped and is
    started again with the same arguments goes on where it stopped."""
    from ruxue.precheck.precheck import served_elsewhere
    from ruxue.precheck.precheck_run import RunOptions
    from ruxue.precheck.service import precheck as run_precheck

    options = RunOptions(year, segment, limit, batch_size, concurrency, processes)

    async def run() -> dict[str, int]:
        settings = get_settings()
        db = Database(settings.resolved_database_url())
        client = ExchangeClient(settings, db)
        try:
            with progress_bar(console) as show:
                counts = await run_precheck(db, client, options, out, show)
        finally:
            await client.aclose()
            await db.dispose()
        return dict(counts)

    started = time.perf_counter()
    try:
        counts = asyncio.run(run())
    except Unavailable as exc:  # a department, or a process of the run
        console.print(exc.message)
        raise typer.Exit(1) from None
    summary = "，".join(f"{k} {v}" for k, v in sorted(counts.items()))
    console.print(
        f"已写入 {out}（{sum(counts.values())} 名学生，{time.perf_counter() - started:.1f} 秒）：{summary}"
    )
    if elsewhere := served_elsewhere(counts):
        console.print(elsewhere)
