"""``ruxue restore-check``: after a restore, is everything there and unaltered?"""

import asyncio

import typer
from rich.console import Console

from ruxue.archive.storage import library_from
from ruxue.kit.db import Database
from ruxue.kit.sm2 import SealKey
from ruxue.ops.restore import RestoreReport, restore_check
from ruxue.settings import get_settings

console = Console(soft_wrap=True)  # a line per problem, whatever the terminal's width


def restore_check_command() -> None:
    """Verify the audit chains against the exported signed heads, re-check every archive package
    (四性检测) and compare the restored counts with the last heads; exit 1 on any problem."""
    settings = get_settings()
    if not settings.heads_dir.is_dir() or not any(settings.heads_dir.glob("heads-*.json")):
        console.print(
            f"[red]没有已导出的签名日志头[/red]（{settings.heads_dir}）：无法核对恢复结果"
        )
        raise typer.Exit(2)

    async def run() -> RestoreReport:
        db = Database(settings.resolved_database_url())
        try:
            seal = SealKey.load_or_create(settings.seal_key_file)
            return await restore_check(db, library_from(settings), settings.heads_dir, seal)
        finally:
            await db.dispose()

    report = asyncio.run(run())
    for problem in report.problems:
        console.print(f"[red]不一致[/red] {problem}")
    counts = "，".join(f"{k} {v}" for k, v in report.counts.items())
    console.print(
        f"签名日志头 {report.heads_files} 份（最后：{report.last_heads}）；"
        f"档案包检测 {report.packages_checked} 个；{counts}"
    )
    if report.problems:
        console.print(f"[red]恢复核对未通过：{len(report.problems)} 处问题[/red]")
        raise typer.Exit(1)
    console.print(
        "恢复核对通过：日志链与签名日志头一致，档案包四性检测全部通过，记录数不少于最后的日志头"
    )
