"""``ruxue allocate``: a district's run, dry (prints the report, changes nothing) or published
(asks first, then shows its progress; a process killed halfway resumes with the same command)."""

import asyncio
import getpass

import typer
from rich.console import Console

from ruxue.cli.progress import progress_bar
from ruxue.cohort import publication as service
from ruxue.cohort.publication import DryRun, RunKey
from ruxue.cohort.views import HEADINGS, rows
from ruxue.kit.db import Database
from ruxue.kit.errors import RuxueError
from ruxue.settings import get_settings

console = Console(stderr=True)


def allocate(
    district: str = typer.Option(..., help="district code, e.g. 320508"),
    segment: str = typer.Option(..., help="primary | junior"),
    year: int = typer.Option(...),
    seed: str = typer.Option(..., help="the public lottery's seed: 8 to 64 hex digits"),
    publish: bool = typer.Option(False, "--publish", help="store, issue every notice, tell all"),
    yes: bool = typer.Option(False, "--yes", help="publish without asking (scripts)"),
    batch: int = typer.Option(1, min=1, max=500, help="cases placed per transaction"),
) -> None:
    """The cohort's run of one district and segment (cohort.md, "The run")."""
    key = RunKey(district, segment, year)
    try:
        found = asyncio.run(_dry(key, seed))
    except RuxueError as exc:
        console.print(exc.message)
        raise typer.Exit(1) from None
    _print(found)
    if not publish:
        console.print("试运行：以上为按当前数据的分配结果，未作任何更改。")
        return
    if not yes:
        typer.confirm(
            f"确认发布？将向 {found.candidates} 个家庭发放告知书或转人工安排并短信通知，"
            "发布后不能再次发布。",
            abort=True,
        )
    try:
        asyncio.run(_publish(key, seed, batch))
    except RuxueError as exc:
        console.print(exc.message)
        raise typer.Exit(1) from None
    console.print("已发布：告知书已发放，短信、电子证照和归档已排队办理。")


async def _dry(key: RunKey, seed: str) -> DryRun:
    db = Database(get_settings().resolved_database_url())
    try:
        async with db.read_session() as session:
            return await service.dry_run(session, key, seed)
    finally:
        await db.dispose()


async def _publish(key: RunKey, seed: str, batch: int) -> None:
    from ruxue.wiring import wire

    settings = get_settings()
    wire(settings)  # the notice's reactions: licence, archive, SMS
    db = Database(settings.resolved_database_url(), clock=settings.clock)
    try:
        with progress_bar(console, "发布") as show:
            actor = f"cli:{getpass.getuser()}"
            await service.publish(db, key, seed, actor, settings.clock(), show, batch)
    finally:
        await db.dispose()


def _print(found: DryRun) -> None:
    key = found.key
    typer.echo(
        f"{key.district_code} {key.segment} {key.year} 随机种子 {found.seed}："
        f"资格审核通过 {found.candidates} 人"
    )
    typer.echo("\t".join(HEADINGS))
    for row in rows(found.reports, found.names):
        typer.echo("\t".join(row.cells()))
