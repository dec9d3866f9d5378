"""``ruxue audit verify|export-heads|adopt|chain``: the audit log, the call log, the archive's Merkle
log and the integrity ledger."""

import asyncio

import typer
from rich.console import Console

from ruxue.audit.repository import pending_count
from ruxue.audit.service import (
    adopt_unrecorded,
    chain_pending,
    read_exported,
    signed_heads,
    verify_all,
    write_heads,
)
from ruxue.kit.db import Database
from ruxue.kit.sm2 import SealKey
from ruxue.settings import get_settings

app = typer.Typer(help="Audit: hash chains and signed log heads.", no_args_is_help=True)
console = Console()


@app.command()
def verify() -> None:
    """Check every chain and every exported head; name each break; exit non-zero on any."""
    settings = get_settings()
    exported = read_exported(settings.heads_dir)

    async def run() -> tuple[list[str], int]:
        db = Database(settings.resolved_database_url())
        try:
            async with db.read_session() as session:
                seal = SealKey.load_or_create(settings.seal_key_file)
                return await verify_all(session, exported, seal), await pending_count(session)
        finally:
            await db.dispose()

    problems, pending = asyncio.run(run())
    for problem in problems:
        console.print(f"[red]不一致[/red] {problem}")
    if problems:
        console.print(f"[red]发现 {len(problems)} 处问题[/red]")
        raise typer.Exit(1)
    console.print(
        "审计日志、调用日志、档案日志与办件、评价、授权记录完整"
        f"（对照已导出的签名日志头 {len(exported)} 份；完整性台账待入链 {pending} 条）"
    )


@app.command("export-heads")
def export_heads() -> None:
    """Chain the ledger's pending digests, sign the current heads of the logs and write them to
    the heads directory now."""
    settings = get_settings()

    async def run() -> str:
        db = Database(settings.resolved_database_url())
        try:
            await chain_pending(db)
            async with db.read_session() as session:
                seal = SealKey.load_or_create(settings.seal_key_file)
                document = await signed_heads(session, seal, settings.clock())
        finally:
            await db.dispose()
        return str(write_heads(document, settings.heads_dir))

    console.print(f"已导出签名日志头：{asyncio.run(run())}")


@app.command()
def adopt() -> None:
    """Enter the records the integrity ledger has never seen (written before its migration, or
    by a bulk seed) as they are now; audited. A record the ledger has seen is never adopted:
    run it once, before the app serves families, and ``verify`` reports edits only."""
    settings = get_settings()

    async def run() -> dict[str, int]:
        db = Database(settings.resolved_database_url())
        try:
            async with db.write_session() as session:
                return await adopt_unrecorded(session)
        finally:
            await db.dispose()

    adopted = asyncio.run(run())
    for kind, count in sorted(adopted.items()):
        console.print(f"{kind}: {count} 条记入完整性台账")
    console.print(f"共 {sum(adopted.values())} 条原有记录记入完整性台账（已记审计日志）")


@app.command()
def chain() -> None:
    """Move the integrity ledger's pending digests into its hash chain now (the worker does it
    every minute; safe while the app and the worker run)."""
    settings = get_settings()

    async def run() -> int:
        db = Database(settings.resolved_database_url())
        try:
            return await chain_pending(db)
        finally:
            await db.dispose()

    console.print(f"完整性台账：{asyncio.run(run())} 条待入链记录已入链")
