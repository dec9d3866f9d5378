"""No case goes unarchived: a build that dies after writing its scratch directory leaves no package
and no record, and the sweep (what a lost or failed job falls back to) builds it."""

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select

from ruxue.archive import tasks
from ruxue.archive.build import build_package
from ruxue.archive.check import check_package
from ruxue.archive.models import ArchivePackage
from ruxue.archive.storage import LocalLibrary
from ruxue.cases.models import Case
from ruxue.kit.db import Database
from ruxue.kit.sm2 import SealKey
from ruxue.settings import get_settings
from tests.support.flow import apply
from tests.support.helpers import ServerThread
from tests.support.personas import LIU, WANG, WANG_CHILD
from tests.support.roots import from_environment
from tests.support.session import logged_in


class DiesBeforeStoring(LocalLibrary):
    def store(self, built: Path, number: str) -> str:
        raise SystemExit("worker killed")  # what a kill looks like from inside: no cleanup runs


async def test_a_build_that_dies_is_done_by_the_sweep(
    web: ServerThread, sandbox: ServerThread, schools: None, db: Database, cli_env: None,
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.setenv("RUXUE_VAR_DIR", str(tmp_path / "var"))
    from_environment()
    http = await logged_in(web, sandbox, WANG)
    decided = await apply(http, sandbox, "primary", WANG_CHILD, LIU)
    await http.aclose()
    async with db.read_session() as session:
        case = (await session.scalars(select(Case).where(Case.case_no == decided["case_no"]))).one()
    settings = get_settings()
    scratch = settings.var_dir / "archive-build"
    scratch.mkdir(parents=True)
    with pytest.raises(SystemExit):
        await build_package(db, DiesBeforeStoring(settings.archive_dir), scratch, SealKey.generate(),
                            case.id, settings.public_url)  # fmt: skip
    assert [p.name.startswith(".tmp-") for p in scratch.iterdir()] == [True]  # only scratch is left
    async with db.read_session() as session:
        assert await session.scalar(select(func.count()).select_from(ArchivePackage)) == 0

    built = await tasks.sweep_unarchived(db, grace=dt.timedelta(0))
    assert len(built) == 1
    package = settings.archive_dir / built[0]
    assert all(item.passed for item in check_package(package))
    async with db.read_session() as session:
        assert (await session.scalars(select(ArchivePackage.archive_no))).all() == built
    assert await tasks.sweep_unarchived(db, grace=dt.timedelta(0)) == []
