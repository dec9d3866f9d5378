"""``ruxue staff create``: staff accounts (administrators manage them; this is the bootstrap)."""

import asyncio

import pyotp
import typer

from ruxue.kit.db import Database
from ruxue.kit.errors import RuxueError
from ruxue.settings import get_settings
from ruxue.staff.service import create_staff

app = typer.Typer(help="Staff accounts.", no_args_is_help=True)


@app.command()
def create(
    username: str = typer.Option(...), name: str = typer.Option(...),
    role: str = typer.Option(..., help="desk | reviewer | admin | archivist"),
    school: str | None = typer.Option(None, help="school code (desk staff)"),
    district: str | None = typer.Option(None, help="district code (reviewers)"),
    password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True),
) -> None:  # fmt: skip
    """Create an account; prints the TOTP secret once, for an authenticator app."""

    async def run() -> str:
        db = Database(get_settings().resolved_database_url())
        try:
            async with db.write_session() as session:
                _, secret = await create_staff(session, username=username, name=name, role=role, password=password,
                                               school_code=school, district_code=district)  # fmt: skip
                return secret
        finally:
            await db.dispose()

    try:
        secret = asyncio.run(run())
    except RuxueError as exc:
        typer.echo(exc.message, err=True)
        raise typer.Exit(1) from None
    typer.echo(f"已创建 {username}。动态口令密钥（仅显示一次）：{secret}")
    typer.echo(pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name="入学一件事"))
