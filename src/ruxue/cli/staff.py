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


DEMO_PREFIX = "demo-"


@app.command("demo-code")
def demo_code(username: str) -> None:
    """The current TOTP code of a demo account (demo-* only; real staff use an authenticator app)."""
    from sqlalchemy import select

    from ruxue.kit import pii
    from ruxue.staff.models import StaffUser

    if not username.startswith(DEMO_PREFIX):
        typer.echo("只能查看演示账号（demo-*）的动态口令", err=True)
        raise typer.Exit(1)

    async def run() -> str | None:
        db = Database(get_settings().resolved_database_url())
        try:
            async with db.read_session() as session:
                user = (
                    await session.scalars(select(StaffUser).where(StaffUser.username == username))
                ).one_or_none()
                return pii.decrypt(user.totp_enc) if user else None
        finally:
            await db.dispose()

    secret = asyncio.run(run())
    if secret is None:
        typer.echo("没有这个账号", err=True)
        raise typer.Exit(1)
    typer.echo(pyotp.TOTP(secret).now())


async def seed_demo_staff(db: Database, password: str) -> list[tuple[str, str]]:
    """Demo accounts, created once: (username, role description)."""
    accounts = [("demo-desk", "学校窗口（苏州市平江实验学校）", "desk", "3205080101", None),
                ("demo-reviewer", "姑苏区教育局审核", "reviewer", None, "320508"),
                ("demo-admin", "市教育局管理员", "admin", None, None),
                ("demo-archivist", "档案管理员（电子档案库、调阅登记）", "archivist", None, None)]  # fmt: skip
    made = []
    for username, label, role, school, district in accounts:
        try:
            async with db.write_session() as session:
                await create_staff(session, username=username, name=label, role=role, password=password,
                                   school_code=school, district_code=district)  # fmt: skip
        except RuxueError:
            pass  # already there from an earlier demo run
        made.append((username, label))
    return made
