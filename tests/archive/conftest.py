"""A real package of a decided case (the 王 family), built through the API flow."""

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select

from ruxue.archive.build import build_package
from ruxue.archive.storage import LocalLibrary
from ruxue.cases.models import Case
from ruxue.kit.db import Database
from ruxue.kit.sm2 import SealKey
from ruxue.settings import Settings
from tests.support.flow import apply
from tests.support.helpers import ServerThread
from tests.support.personas import LIU, WANG, WANG_CHILD
from tests.support.session import logged_in


@pytest.fixture
async def package(
    settings: Settings,
    web: ServerThread,
    sandbox: ServerThread,
    schools: None,
    db: Database,
    tmp_path: Path,
) -> AsyncIterator[Path]:
    http = await logged_in(web, sandbox, WANG)
    case = await apply(http, sandbox, "primary", WANG_CHILD, LIU)
    await http.aclose()
    async with db.read_session() as session:
        case_id = (
            await session.scalars(select(Case.id).where(Case.case_no == case["case_no"]))
        ).one()
    library = LocalLibrary(settings.archive_dir)  # the library the app reads
    built = await build_package(
        db,
        library,
        tmp_path,
        SealKey.generate(),
        case_id,
        "http://127.0.0.1:8000",
        now=settings.now,
    )
    yield Path(built.location)
