"""``ruxue archive check|build``."""

import asyncio
import json
from pathlib import Path

import typer
from rich.console import Console

from ruxue.archive.check import as_json, check_package
from ruxue.archive.scanner import clamav

app = typer.Typer(help="The electronic archive: packages and 四性检测.", no_args_is_help=True)
console = Console()


@app.command()
def check(
    path: Path = typer.Argument(..., exists=True, file_okay=False, help="a package, or with --all a library directory"),
    all_packages: bool = typer.Option(False, "--all", help="check every package under PATH"),
    as_json_output: bool = typer.Option(False, "--json", help="print JSON"),
    clamav_db: Path | None = typer.Option(None, "--clamav-db", help="ClamAV signature database for GD-4-2"),
) -> None:  # fmt: skip
    """Run every GD item of 四性检测; exit non-zero when any item fails."""
    packages = (
        sorted(p for p in path.iterdir() if p.is_dir() and not p.name.startswith("."))
        if all_packages
        else [path]
    )
    scanner = clamav(clamav_db) if clamav_db else None
    report = {p.name: check_package(p, scanner=scanner) for p in packages}
    failed = any(not item.passed for items in report.values() for item in items)
    if as_json_output:
        typer.echo(
            json.dumps({k: as_json(v) for k, v in report.items()}, ensure_ascii=False, indent=1)
        )
    else:
        for name, items in report.items():
            console.print(f"[bold]{name}[/bold]")
            for item in items:
                mark = "[green]通过[/green]" if item.passed else "[red]不通过[/red]"
                console.print(
                    f"  {item.code} {mark} {item.name}" + (f" — {item.why}" if item.why else "")
                )
    raise typer.Exit(1 if failed else 0)


@app.command()
def build(case_no: str) -> None:
    """Build (or rebuild) the package of a case with a final decision, now, even one whose
    filing stopped after its attempts (the archivist's retry once the cause is fixed)."""
    from ruxue.archive.tasks import build_case
    from ruxue.kit.db import Database
    from ruxue.settings import get_settings

    async def run() -> str | None:
        db = Database(get_settings().resolved_database_url())
        try:
            return await build_case(db, case_no, force=True)
        finally:
            await db.dispose()

    try:
        number = asyncio.run(run())
    except Exception as exc:  # the failure is recorded for the archivist's page; say it here too
        typer.echo(f"归档失败：{exc}", err=True)
        raise typer.Exit(1) from None
    if number is None:
        typer.echo("办件不存在或尚无最终结果", err=True)
        raise typer.Exit(1)
    typer.echo(number)


@app.command("export")
def export(
    out: Path = typer.Argument(..., help="the batch directory to write"),
    district: str = typer.Option(...), year: int = typer.Option(...),
    receiver: str = typer.Option("", help="接收单位 (default: the district's 档案馆)"),
) -> None:  # fmt: skip
    """A transfer (移交) batch of a district and year, every package checked before it is written."""
    from ruxue.archive.service import export_batch
    from ruxue.archive.storage import library_from
    from ruxue.kit.db import Database
    from ruxue.kit.errors import RuxueError
    from ruxue.settings import get_settings

    async def run() -> dict[str, object]:
        db = Database(get_settings().resolved_database_url())
        try:
            return await export_batch(
                db, library_from(get_settings()), district, year, out, receiver
            )
        finally:
            await db.dispose()

    if out.exists():
        typer.echo(f"{out} 已存在", err=True)
        raise typer.Exit(1)
    try:
        manifest = asyncio.run(run())
    except RuxueError as exc:
        typer.echo(exc.message, err=True)
        raise typer.Exit(1) from None
    typer.echo(f"已写入 {out}：{manifest['count']} 个档案包")
