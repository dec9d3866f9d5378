"""``ruxue kiosk add``: register a self-service terminal; prints its key once (for the terminal's
activation page and its printer agent)."""

import asyncio

import typer
from sqlalchemy.exc import IntegrityError

from ruxue.kiosk.service import add_terminal
from ruxue.kit.db import Database
from ruxue.settings import get_settings

app = typer.Typer(help="Self-service terminals.", no_args_is_help=True)


@app.command()
def add(
    code: str = typer.Argument(..., help="e.g. KSK-GS-001"),
    name: str = typer.Option(..., help="where it stands, e.g. 姑苏区政务服务中心一楼"),
) -> None:
    async def run() -> str:
        db = Database(get_settings().resolved_database_url())
        try:
            async with db.write_session() as session:
                return await add_terminal(session, code, name)
        finally:
            await db.dispose()

    try:
        key = asyncio.run(run())
    except IntegrityError:
        typer.echo(f"终端 {code} 已存在", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"终端 {code} 的密钥（只显示一次）：{key}")
