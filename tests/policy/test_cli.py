"""``ruxue policy import|show``: a bad file is refused naming each key (exit 2, nothing stored);
a good one becomes the next version and ``show`` prints every key, its value, default or set,
and the version in force."""

import asyncio
from pathlib import Path

from sqlalchemy import func, select
from typer.testing import CliRunner

from ruxue.cli.main import app
from ruxue.kit.db import Database
from ruxue.policy.cohort_labels import KEYS
from ruxue.policy.loader import POLICIES
from ruxue.policy.models import PolicyVersion

EXAMPLE = POLICIES / "examples" / "allocation-320508.toml"
WHERE = ["--district", "320508", "--year", "2026"]


async def _ruxue(*args: str) -> tuple[int, str]:
    ran = await asyncio.to_thread(CliRunner().invoke, app, list(args))
    return ran.exit_code, ran.output


async def test_a_bad_file_is_refused_naming_every_key(
    db: Database, cli_env: None, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('placement = "lottery"\nwindows = 1\nseat_lock_years = { primary = 20 }\n')
    code, output = await _ruxue("policy", "import", str(bad), *WHERE)
    assert code == 2, output
    assert "未导入：bad.toml 有 3 处错误" in output
    for named in ("placement：'lottery'", "windows：不能导入", "seat_lock_years.primary：20"):
        assert f"  {named}" in output
    async with db.read_session() as session:
        assert await session.scalar(select(func.count()).select_from(PolicyVersion)) == 0


async def test_import_then_show_prints_every_key_and_the_version(
    db: Database, cli_env: None
) -> None:
    code, before = await _ruxue("policy", "show", *WHERE)
    assert code == 0 and "随系统发布的政策文件（未导入任何版本）" in before
    assert "placement = at_submission    学位分配方式：提交即发放学位告知书（默认）" in before
    code, output = await _ruxue("policy", "import", str(EXAMPLE), *WHERE, "--by", "gusu-bureau")
    assert code == 0, output
    assert output.startswith("已导入为第 1 版。\n姑苏区（320508）2026 年现行招生政策：第 1 版")
    code, shown = await _ruxue("policy", "show", *WHERE)
    assert code == 0 and "第 1 版（allocation-320508.toml，gusu-bureau 于" in shown
    lines = [line.strip() for line in shown.splitlines()[1:]]
    assert [line.split(" = ")[0] for line in lines] == list(KEYS)
    assert "placement = allocation    学位分配方式：集中分配" in shown
    assert "publish_on = 07-10    分配结果公布日期：2026年07月10日（已设置）" in shown
    assert "permit_months = 6    居住证持证满（月，新市民）：6（默认）" in shown
    code, again = await _ruxue("policy", "import", str(EXAMPLE), *WHERE)
    assert code == 0 and again.startswith("与现行第 1 版内容相同，未产生新版本。")
