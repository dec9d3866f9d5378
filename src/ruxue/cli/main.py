"""The ``ruxue`` command line."""

import typer

from ruxue.cli import archive, dataset, db, enroll, run, staff

app = typer.Typer(
    help="ruxue (入学一件事) command line", no_args_is_help=True, add_completion=False
)
app.add_typer(dataset.app, name="dataset")
app.add_typer(db.app, name="db")
app.add_typer(enroll.schools_app, name="schools")
app.add_typer(staff.app, name="staff")
app.add_typer(archive.app, name="archive")
app.command("assess")(enroll.assess)
app.command("precheck")(enroll.precheck)
app.command("serve")(run.serve)
app.command("worker")(run.worker)
app.command("sandbox")(run.sandbox)
app.command("demo")(run.demo)

if __name__ == "__main__":
    app()
