import asyncio
import csv
import datetime as dt
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ruxue.cli.main import app
from ruxue.enrollment.service import WindowClosed, check_window
from ruxue.kit.db import Database
from ruxue.person.rules import mask_id_number
from ruxue.policy.loader import CHINA, load_policy
from tests.support.county import register
from tests.support.personas import CHEN_CHILD


@pytest.mark.parametrize(
    ("segment", "decisions"),
    [("primary", {"notice_issued": 3, "needs_materials": 1}), ("junior", {"notice_issued": 1})],
)
def test_precheck_assesses_the_whole_cohort(
    cli_env: None, schools: None, tmp_path: Path, segment: str, decisions: dict[str, int]
) -> None:
    out = tmp_path / "pre.csv"
    result = CliRunner().invoke(
        app, ["precheck", "--year", "2026", "--segment", segment, "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8-sig") as f:
        table = list(csv.DictReader(f))
    assert Counter(r["decision"] for r in table) == decisions  # 孙: no certificates on file
    assert all("*" in r["child"] for r in table)  # the report masks ID numbers
    assert not out.with_suffix(".csv.tmp").exists()


async def test_precheck_leaves_a_county_served_district_to_the_county(
    cli_env: None, schools: None, db: Database, tmp_path: Path
) -> None:
    await register(db, "wuzhong", "320506", enrollment_url="https://wz.example/")
    out = tmp_path / "pre.csv"
    args = ["precheck", "--year", "2026", "--segment", "primary", "--out", str(out)]
    result = await asyncio.to_thread(CliRunner().invoke, app, args)
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8-sig") as f:
        table = {r["child"]: r for r in csv.DictReader(f)}
    decisions = Counter(r["decision"] for r in table.values())
    assert decisions == {"notice_issued": 2, "needs_materials": 1, "district_served_by_county": 1}
    chen = table[mask_id_number(CHEN_CHILD)]  # 吴中区: the county's system decides
    assert chen["decision"] == "district_served_by_county" and chen["school_code"] == ""
    assert "吴中区使用本区的入学报名系统“320506 县区系统”办理" in chen["note"]
    assert "1 名学生户籍所在区不由本系统受理" in " ".join(result.output.split())


def test_registration_window_says_when_it_opens_and_closed() -> None:
    policy = load_policy(2026, "320583")  # 昆山 overrides its window
    with pytest.raises(WindowClosed, match=r"尚未开始.*2026年05月10日 09:00"):
        check_window(policy, "primary", dt.datetime(2026, 5, 10, 8, 59, tzinfo=CHINA))
    check_window(policy, "primary", dt.datetime(2026, 5, 10, 9, 0, tzinfo=CHINA))
    check_window(policy, "primary", dt.datetime(2026, 7, 20, 17, 0, tzinfo=CHINA))
    with pytest.raises(WindowClosed, match="已于07月20日 17:00结束"):
        check_window(policy, "primary", dt.datetime(2026, 7, 20, 17, 1, tzinfo=CHINA))


@pytest.mark.slow
def test_precheck_in_processes_shows_progress_and_writes_what_one_process_writes(
    cli_env: None, schools: None, tmp_path: Path
) -> None:
    one, two = tmp_path / "one.csv", tmp_path / "two.csv"
    args = ["precheck", "--year", "2026", "--segment", "primary", "--batch-size", "1"]
    alone = CliRunner().invoke(app, [*args, "--out", str(one)])
    assert alone.exit_code == 0, alone.output
    result = CliRunner().invoke(app, [*args, "--out", str(two), "--processes", "2"])
    assert result.exit_code == 0, result.output
    assert two.read_bytes() == one.read_bytes()
    assert "4/4" in result.output and "人/秒" in result.output  # done of total, children/s
    assert not (tmp_path / "two.csv.parts").exists()
