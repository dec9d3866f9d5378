"""``ruxue db upgrade|check|revision``."""

import typer

from ruxue.kit import migrate
from ruxue.settings import get_settings

app = typer.Typer(help="Database migrations (Alembic).", no_args_is_help=True)


@app.command()
def upgrade(revision: str = typer.Argument("head")) -> None:
    """Migrate the database at RUXUE_DATABASE_URL (SQLite under var/ by default)."""
    settings = get_settings()
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    migrate.upgrade(settings.resolved_database_url(), revision)
    typer.echo("数据库已迁移到最新版本")


@app.command()
def check() -> None:
    """Fail when the models need a migration that does not exist."""
    migrate.check(get_settings().resolved_database_url())
    typer.echo("模型与迁移一致")


@app.command()
def revision(message: str = typer.Option(..., "-m")) -> None:
    """Write a new migration from the difference between models and database (developers)."""
    migrate.revision(message, get_settings().resolved_database_url())
