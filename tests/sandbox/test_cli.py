import json
from pathlib import Path

from typer.testing import CliRunner

from ruxue.cli.main import app
from tests.support.dataset import EXAMPLE


def test_sandbox_refuses_a_bad_dataset_with_its_path(tmp_path: Path) -> None:
    data = json.loads(EXAMPLE.read_text())
    data["hukou_booklets"][2]["members"][1]["id_number"] = "320506202001100157"[:-1] + "0"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data))
    result = CliRunner().invoke(app, ["sandbox", "--dataset", str(bad), "--port", "1"])
    assert result.exit_code == 1
    assert "hukou_booklets[2].members[1].id_number: bad check digit" in result.output


def test_help_lists_the_commands() -> None:
    result = CliRunner().invoke(app, ["--help"])
    for command in ("serve", "worker", "sandbox", "demo", "db", "dataset"):
        assert command in result.output
