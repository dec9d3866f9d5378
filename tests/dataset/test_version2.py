"""Dataset version 2 (``sandbox-dataset.md``): its additions, its reference rules, and version-1
files that stay valid and decide as before."""

import json
from pathlib import Path
from typing import Any

import msgspec
import pytest
from typer.testing import CliRunner

from ruxue.cli.main import app
from ruxue.dataset.messages import in_chinese
from ruxue.dataset.service import DatasetError, parse_dataset, summary
from tests.support.dataset import EXAMPLE, NEW_CITIZENS, example_v2


def _parse(data: dict[str, Any]) -> Any:
    return parse_dataset(json.dumps(data).encode())


def test_version_2_example_is_valid_and_carries_its_additions() -> None:
    data = _parse(example_v2())
    counts = summary(data)
    assert counts["residence_permits"] == 2 and counts["points"] == 1
    assert counts["seat_history"] == 2 and counts["priority_children"] == 2
    assert str(data.hukou_booklets[0].members[2].moved_in_on) == "2019-11-02"
    assert data.hukou_booklets[0].members[0].moved_in_on is None  # absent: always there
    assert data.student_status[0].school_code == "3205080101"
    assert data.schools[0].overflow_to == ["3205080102"]
    assert data.points[0].id_number == NEW_CITIZENS[0]


def test_version_1_file_with_version_2_keys_ignores_them() -> None:
    """Unknown keys are ignored in version 1, the version-2 ones too: it decides as before."""
    v2 = example_v2()
    v2["version"] = 1
    data = _parse(v2)
    assert data.residence_permits == [] and data.points == [] and data.seat_history == []
    assert data.priority_children == []
    assert all(m.moved_in_on is None for b in data.hukou_booklets for m in b.members)
    assert data.student_status[0].school_code is None
    assert all(s.overflow_to == [] for s in data.schools)
    assert "points" not in summary(data)


def test_version_1_example_answers_byte_for_byte_as_before() -> None:
    """Absent version-2 fields are left out of what a record encodes to."""
    data = parse_dataset(EXAMPLE.read_bytes())
    raw = json.loads(EXAMPLE.read_text())
    assert msgspec.to_builtins(data.hukou_booklets[0].members[0]) == {
        "id_number": raw["hukou_booklets"][0]["members"][0]["id_number"],
        "relation": "户主",
    }
    assert set(msgspec.to_builtins(data.student_status[0])) == set(raw["student_status"][0])
    assert set(msgspec.to_builtins(data.schools[0])) == set(raw["schools"][0])


def _set(data: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    target: Any = data
    parts = path.replace("]", "").replace("[", ".").split(".")
    for part in parts[:-1]:
        target = target[int(part)] if part.isdigit() else target[part]
    target[int(parts[-1]) if parts[-1].isdigit() else parts[-1]] = value
    return data


OUTSIDE_CHILD = "110101201601010019"


@pytest.mark.parametrize(
    ("path", "value", "reported", "words"),
    [
        ("hukou_booklets[0].members[2].moved_in_on", "2019-02-30", "", "date"),
        ("residence_permits[0].id_number", "320508199105060610", "", "no such person"),
        ("residence_permits[1].permit_no", "JZ320508-2024-000001", "", "duplicate"),
        ("residence_permits[0].valid_to", "2023-01-01", "", "before valid_from"),
        ("residence_permits[0].district_code", "3205", "", ""),
        ("points[0].id_number", "320508199105060610", "", "no such person"),
        ("points[0].points", -1, "", ""),
        ("student_status[0].school_code", "3205089999", "", "no such school"),
        ("schools[0].overflow_to[0]", "3205089999", "", "no such school"),
        ("schools[0].overflow_to[0]", "3205080101", "", "itself"),
        ("schools[0].overflow_to[0]", "3205080201", "", "same district and segment"),
        ("schools[0].overflow_to[0]", "3205060101", "", "same district and segment"),
        ("seat_history[0].child_id_number", "320508201610150212", "", "check digit"),
        ("seat_history[0].segment", "senior", "", ""),
        ("priority_children[0].child_id_number", OUTSIDE_CHILD, "", "no such person"),
        ("priority_children[1].group", "", "", ""),
        ("priority_children[0].district_code", "32050", "", ""),
    ],
)
def test_bad_version_2_file_is_refused_with_its_path(
    path: str, value: Any, reported: str, words: str
) -> None:
    with pytest.raises(DatasetError) as exc:
        _parse(_set(example_v2(), path, value))
    assert exc.value.path == (reported or path)
    assert words in exc.value.message


def test_seat_history_may_name_children_schools_and_certificates_outside_the_dataset() -> None:
    data = example_v2()
    data["seat_history"].append(
        {
            "cert_no": "苏(2015)苏州市不动产权第9999999号",
            "child_id_number": OUTSIDE_CHILD,
            "year": 2021,
            "segment": "junior",
            "school_code": "3205999999",
        }
    )
    assert summary(_parse(data))["seat_history"] == 3


def test_every_problem_is_named_and_nothing_is_loaded() -> None:
    data = _set(example_v2(), "points[0].id_number", "320508199105060610")
    _set(data, "schools[0].overflow_to[0]", "3205089999")
    _set(data, "residence_permits[0].valid_to", "2023-01-01")
    with pytest.raises(DatasetError) as exc:
        _parse(data)
    assert [p for p, _ in exc.value.problems] == [
        "residence_permits[0].valid_to",
        "points[0].id_number",
        "schools[0].overflow_to[0]",
    ]


def test_check_command_names_every_problem_with_its_chinese(tmp_path: Path) -> None:
    data = _set(example_v2(), "points[0].id_number", "320508199105060610")
    _set(data, "schools[0].overflow_to[0]", "3205060101")
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data, ensure_ascii=False))
    result = CliRunner().invoke(app, ["dataset", "check", str(bad)])
    assert result.exit_code == 1
    assert "共 2 处问题" in result.output
    assert "points[0].id_number: no such person（数据集中无此人）" in result.output
    assert "schools[0].overflow_to[0]: not a school of the same district and segment" in (
        result.output
    )
    assert "统筹学校须为同一区、同一学段" in result.output


@pytest.mark.parametrize(
    ("message", "chinese"),
    [
        ("bad check digit", "校验码错误"),
        ("Expected `str` matching regex '^\\d{6}$'", "取值不符合格式要求"),
        ("Invalid enum value 'senior'", "取值不在允许范围内"),
        ("duplicate permit_no", "编号重复"),
        ("something new", "数据不符合格式"),
    ],
)
def test_every_problem_has_chinese(message: str, chinese: str) -> None:
    assert in_chinese(message) == f"{message}（{chinese}）"
