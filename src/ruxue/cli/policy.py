"""``ruxue policy import|show``: the bureau's policy per district and year (``docs/policy.md``)."""

import asyncio
import getpass
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.kit.db import Database
from ruxue.policy.cohort_labels import describe
from ruxue.policy.loader import CHINA, POLICIES
from ruxue.policy.service import Imported, InForce, PolicyRefused, import_policy, in_force
from ruxue.reference.districts import district_label
from ruxue.reference.models import School
from ruxue.settings import get_settings
from ruxue.staff.service import audit

T = TypeVar("T")
app = typer.Typer(
    help="招生政策：导入新版本、查看现行版本（docs/policy.md）。", no_args_is_help=True
)

# the demo's allocation district: 姑苏区, whose families all fall in 苏州市平江实验学校
DEMO_DISTRICT, DEMO_SCHOOL, DEMO_CAPACITY = "320508", "3205080101", 2
DEMO_FILE = POLICIES / "examples" / "allocation-320508.toml"


@app.command("import")
def import_file(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="the policy file (TOML)"),
    district: str = typer.Option(..., help="district code, e.g. 320508"),
    year: int = typer.Option(..., help="enrollment year"),
    by: str = typer.Option("", help="who imports (default: the login name)"),
) -> None:
    """Validate FILE and store it as the district's next version; prints what is now in force."""
    text = file.read_text(encoding="utf-8")

    async def run(session: AsyncSession) -> tuple[Imported, InForce]:
        done = await import_and_audit(session, district, year, text, file.name, by or _login())
        return done, await in_force(session, district, year)

    try:
        done, now = _with_session(run)
    except PolicyRefused as refused:
        typer.echo(f"未导入：{file.name} 有 {len(refused.errors)} 处错误", err=True)
        for error in refused.errors:
            typer.echo(f"  {error}", err=True)
        raise typer.Exit(2) from None
    number = done.version.version
    said = f"已导入为第 {number} 版" if done.new else f"与现行第 {number} 版内容相同，未产生新版本"
    typer.echo(f"{said}。")
    _print(district, year, now)


@app.command()
def show(
    district: str = typer.Option(..., help="district code"),
    year: int = typer.Option(..., help="enrollment year"),
) -> None:
    """Print the policy in force: every key, its value, default or set, and its version."""

    async def run(session: AsyncSession) -> InForce:
        return await in_force(session, district, year)

    _print(district, year, _with_session(run, write=False))


async def import_and_audit(
    session: AsyncSession, district: str, year: int, text: str, name: str, by: str
) -> Imported:
    """The import and its audit entry, in the caller's transaction."""
    done = await import_policy(session, district, year, text, name, by)
    if done.new:
        row = done.version
        await audit(
            session,
            None,
            "policy_import",
            target=f"{district}/{year}",
            version=row.version,
            by=by,
            file=name,
            digest=row.digest,
        )
    return done


async def seed_demo_policy(db: Database, year: int) -> str:
    """The demo's allocation district: its policy imported (once) and a school of 2 seats."""
    async with db.write_session() as session:
        school = await session.get(School, DEMO_SCHOOL)
        if school is not None:
            school.capacity = DEMO_CAPACITY  # `schools import` put the dataset's back
        text = DEMO_FILE.read_text(encoding="utf-8")
        await import_and_audit(session, DEMO_DISTRICT, year, text, DEMO_FILE.name, "demo")
    name = school.name if school else DEMO_SCHOOL
    return f"{district_label(DEMO_DISTRICT)}集中分配学位：{name}仅 {DEMO_CAPACITY} 个学位"


def _print(district: str, year: int, now: InForce) -> None:
    typer.echo(f"{district_label(district)}（{district}）{year} 年现行招生政策：{_source(now)}")
    for line in describe(now.policy):
        state = "默认" if line.default else "已设置"
        typer.echo(f"  {line.key} = {line.value}    {line.label}：{line.meaning}（{state}）")


def _source(now: InForce) -> str:
    row = now.version
    if row is None:
        return "随系统发布的政策文件（未导入任何版本）"
    at = row.imported_at.astimezone(CHINA)
    return (
        f"第 {row.version} 版（{row.source_name}，{row.imported_by} 于 {at:%Y-%m-%d %H:%M} 导入）"
    )


def _login() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except OSError:
        return "cli"


def _with_session(work: Callable[[AsyncSession], Awaitable[T]], write: bool = True) -> T:
    """One transaction on the configured database (a write is committed when ``work`` returns)."""

    async def run() -> T:
        settings = get_settings()
        db = Database(settings.resolved_database_url(), clock=settings.clock)
        try:
            async with db.write_session() if write else db.read_session() as session:
                return await work(session)
        finally:
            await db.dispose()

    return asyncio.run(run())
