import datetime as dt
import json
from pathlib import Path
from typing import Any

import orjson
import pytest
from typer.testing import CliRunner

from ruxue.cli.main import app
from ruxue.dataset.service import DatasetError, parse_dataset, summary
from ruxue.person.rules import make_id_number
from tests.support.dataset import EXAMPLE


def _example() -> dict[str, Any]:
    return json.loads(EXAMPLE.read_text())


def test_example_dataset_is_valid() -> None:
    counts = summary(parse_dataset(EXAMPLE.read_bytes()))
    assert counts["persons"] == 13
    assert counts["schools"] == 3


def _break(path: str, value: Any) -> dict[str, Any]:
    data = _example()
    target: Any = data
    parts = path.replace("]", "").replace("[", ".").split(".")
    for part in parts[:-1]:
        target = target[int(part)] if part.isdigit() else target[part]
    last = parts[-1]
    if value is KeyError:
        del target[last]
    else:
        target[int(last) if last.isdigit() else last] = value
    return data


@pytest.mark.parametrize(
    ("path", "value", "reported", "words"),
    [
        ("persons[3].id_number", "320508199105060628", "persons[3].id_number", "check digit"),
        ("persons[2].gender", "F", "persons[2].gender", "sequence digit"),
        ("persons[1].birth_date", "1990-13-02", "persons[1].birth_date", "date"),
        ("persons[0].booklet_no", "HK-NOPE", "persons[0].booklet_no", "booklet"),
        ("persons[0].name", KeyError, "persons[0].name", "required"),
        (
            "hukou_booklets[0].members[1].relation",
            "邻居",
            "hukou_booklets[0].members[1].relation",
            "",
        ),
        (
            "hukou_booklets[1].members[0].id_number",
            "320508199105060610",
            "hukou_booklets[1].members[0].id_number",
            "no such person",
        ),
        ("properties[0].owners[0].share", 0.3, "properties[0].owners", "add up"),
        ("properties[1].usage", "industrial", "properties[1].usage", ""),
        ("marriages[0].status", "engaged", "marriages[0].status", ""),
        ("social_insurance[0].since", "2018-13", "social_insurance[0].since", ""),
        ("student_status[0].status", "expelled", "student_status[0].status", ""),
        ("schools[1].segment", "senior", "schools[1].segment", ""),
        ("version", 3, "version", ""),
    ],
)
def test_bad_dataset_is_refused_with_its_path(
    path: str, value: Any, reported: str, words: str
) -> None:
    with pytest.raises(DatasetError) as exc:
        parse_dataset(json.dumps(_break(path, value)).encode())
    assert exc.value.path == reported
    assert words in exc.value.message


def test_unknown_keys_are_ignored_and_outside_parents_allowed() -> None:
    data = _example()
    data["persons"][2]["nickname"] = "小明"
    data["extra"] = {"anything": 1}
    data["persons"][4]["father_id_number"] = make_id_number(
        "110101", dt.date(1980, 1, 1), 1
    )  # outside
    assert summary(parse_dataset(json.dumps(data).encode()))["persons"] == 13


def test_check_command(tmp_path: Path) -> None:
    runner = CliRunner()
    ok = runner.invoke(app, ["dataset", "check", str(EXAMPLE)])
    assert ok.exit_code == 0, ok.output
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(_break("persons[3].id_number", "320508199105060628")))
    refused = runner.invoke(app, ["dataset", "check", str(bad)])
    assert refused.exit_code == 1
    assert "persons[3].id_number: bad check digit" in refused.output


def test_generate_command_writes_a_valid_deterministic_city(tmp_path: Path) -> None:
    runner = CliRunner()
    a, b, c = tmp_path / "a.json", tmp_path / "b.json", tmp_path / "c.json"
    for out, seed in ((a, 5), (b, 5), (c, 6)):
        result = runner.invoke(
            app,
            ["dataset", "generate", "--families", "300", "--seed", str(seed), "--out", str(out)],
        )
        assert result.exit_code == 0, result.output
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()
    data = parse_dataset(a.read_bytes())
    assert orjson.loads(a.read_bytes())["version"] == 1
    assert {s.district_code for s in data.schools} >= {"320508", "320571", "320583"}


def test_generate_command_writes_version_2_when_asked(tmp_path: Path) -> None:
    out = tmp_path / "v2.json"
    args = ["dataset", "generate", "--families", "300", "--version", "2", "--out", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    data = parse_dataset(out.read_bytes())
    assert data.version == 2 and data.residence_permits and data.seat_history
