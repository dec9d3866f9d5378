"""``ruxue clients add`` (the city registers a county system) and ``ruxue county relay`` (a county
sends its outbox to the city, once or in a loop)."""

import asyncio
import json
from pathlib import Path

import typer
from pydantic import ValidationError

from ruxue.county.relay import Tally, Upstream, run
from ruxue.county.schemas import NewClient
from ruxue.county.service import add_client
from ruxue.kit.db import Database
from ruxue.kit.errors import RuxueError
from ruxue.settings import get_settings

clients_app = typer.Typer(help="County systems registered with the city.", no_args_is_help=True)
county_app = typer.Typer(help="County mode: reporting to the city.", no_args_is_help=True)


@clients_app.command("add")
def add(
    client_id: str = typer.Option(...),
    name: str = typer.Option(...),
    district: str = typer.Option(..., help="the county's district code"),
    redirect_uri: list[str] = typer.Option([], help="OpenID Connect redirect URIs"),
    post_logout_uri: list[str] = typer.Option([], help="post-logout redirect URIs"),
    backchannel_logout_uri: str = typer.Option(""),
    jwks: Path | None = typer.Option(None, help="public JWKS file, for private_key_jwt"),
    jwks_uri: str = typer.Option("", help="or where the county publishes its JWKS"),
    full_id_number: bool = typer.Option(False, help="its role needs the full ID number"),
    enrollment_url: str = typer.Option(
        "", help="where the district's guardians apply, if the county runs enrollment there"
    ),
) -> None:
    """Register a county system; prints its client secret once."""
    try:
        new = NewClient(
            client_id=client_id,
            name=name,
            district_code=district,
            redirect_uris=redirect_uri,
            post_logout_redirect_uris=post_logout_uri,
            backchannel_logout_uri=backchannel_logout_uri,
            jwks=json.loads(jwks.read_text()) if jwks else {},
            jwks_uri=jwks_uri,
            full_id_number=full_id_number,
            enrollment_url=enrollment_url,
        )
    except ValidationError as exc:
        for error in exc.errors():
            field = ".".join(str(part) for part in error["loc"])
            typer.echo(f"参数 {field} 不正确：{error['msg']}", err=True)
        raise typer.Exit(2) from None

    async def register() -> str:
        db = Database(get_settings().resolved_database_url())
        try:
            async with db.write_session() as session:
                return await add_client(session, new)
        finally:
            await db.dispose()

    try:
        secret = asyncio.run(register())
    except RuxueError as exc:
        typer.echo(exc.message, err=True)
        raise typer.Exit(1) from None
    typer.echo(json.dumps({"client_id": client_id, "client_secret": secret}))


@county_app.command("relay")
def relay(
    loop: bool = typer.Option(False, help="keep running"),
    interval: float = typer.Option(1.0, help="seconds between runs in a loop"),
) -> None:
    """Send the outbox to the city (RUXUE_UPSTREAM_URL); prints what was sent, as JSON lines."""
    settings = get_settings()
    if not settings.upstream_url:
        typer.echo("RUXUE_UPSTREAM_URL 未设置：本系统不是县区系统。", err=True)
        raise typer.Exit(1)

    async def go() -> None:
        db, upstream = Database(settings.resolved_database_url()), Upstream(settings)
        try:
            while True:
                tally: Tally = await run(db, upstream, settings)
                typer.echo(json.dumps({k: v for k, v in vars(tally).items() if k != "errors"}))
                if not loop:
                    return
                await asyncio.sleep(interval)
        finally:
            await upstream.aclose()
            await db.dispose()

    asyncio.run(go())


@clients_app.command("rotate-key")
def rotate_key() -> None:
    """A new signing key for the city's provider; the previous one stays in the JWKS."""
    from ruxue.provider import keys

    typer.echo(keys.rotate(get_settings().var_dir))


DEMO_PREFIX = "WZ-2026-"


async def demo_cases_held(db: Database) -> int:
    """How many demo cases (``WZ-2026-…``) the county already holds."""
    from sqlalchemy import func, select

    from ruxue.cases.models import Case

    async with db.read_session() as session:
        held = await session.scalar(
            select(func.count(Case.id)).where(Case.case_no.like(f"{DEMO_PREFIX}%"))
        )
    return int(held or 0)


@county_app.command("demo-cases")
def demo_cases(count: int = typer.Option(30)) -> None:
    """Demo only: cases of this county moved through their stages (the outbox gets each stage).
    A second start of the demo keeps the cases it holds, and says so."""
    from ruxue.county.demo import step
    from ruxue.wiring import wire

    wire(get_settings())

    async def go() -> int:
        db = Database(get_settings().resolved_database_url())
        try:
            if held := await demo_cases_held(db):
                return held
            for wave in (1, 2, 3):
                for i in range(count):
                    async with db.write_session() as session:
                        await step(session, f"{DEMO_PREFIX}{i:06d}", wave, i)
            return 0
        finally:
            await db.dispose()

    if get_settings().mode == "production":
        typer.echo("演示数据不能写入生产系统。", err=True)
        raise typer.Exit(1)
    if held := asyncio.run(go()):
        typer.echo(
            f"沿用已有的县区演示办件（{held} 件）；如需重新生成，请删除县区的数据目录后再启动。"
        )
    else:
        typer.echo(f"已生成县区演示办件 {count} 件。")
