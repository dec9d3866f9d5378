"""The ``ruxue`` command line."""

import typer

from ruxue.cli import (
    allocate,
    archive,
    audit,
    county,
    dataset,
    db,
    enroll,
    keys,
    kiosk,
    ops,
    policy,
    run,
    staff,
)
from ruxue.kit import process
from ruxue.settings import get_settings, require_safe

# commands that touch no key: the dataset tools, migrations, the sandbox, and the demo (which
# runs its processes in demo mode)
KEYLESS = {"dataset", "db", "sandbox", "demo"}

app = typer.Typer(
    help="ruxue (入学一件事) command line", no_args_is_help=True, add_completion=False
)


@app.callback()
def main(ctx: typer.Context) -> None:
    """ruxue (入学一件事) command line"""
    settings = get_settings()
    if ctx.invoked_subcommand not in KEYLESS:
        require_safe(settings)
    process.configure(settings)  # one Settings per command: the keys and the jobs read it


app.add_typer(dataset.app, name="dataset")
app.add_typer(db.app, name="db")
app.add_typer(enroll.schools_app, name="schools")
app.add_typer(staff.app, name="staff")
app.add_typer(archive.app, name="archive")
app.add_typer(audit.app, name="audit")
app.add_typer(keys.app, name="keys")
app.add_typer(policy.app, name="policy")
app.add_typer(kiosk.app, name="kiosk")
app.add_typer(county.clients_app, name="clients")
app.add_typer(county.county_app, name="county")
app.command("assess")(enroll.assess)
app.command("allocate")(allocate.allocate)
app.command("precheck")(enroll.precheck)
app.command("serve")(run.serve)
app.command("worker")(run.worker)
app.command("sandbox")(run.sandbox)
app.command("demo")(run.demo)
app.command("restore-check")(ops.restore_check_command)

if __name__ == "__main__":
    app()
