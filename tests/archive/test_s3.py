"""The S3-compatible library against a local S3 server (moto in server mode, over HTTP)."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from botocore.exceptions import ClientError
from sqlalchemy import select

from ruxue.archive.build import build_package
from ruxue.archive.check import check_package
from ruxue.archive.storage import MARKER, S3Library
from ruxue.cases.models import Case
from ruxue.kit.db import Database
from ruxue.kit.sm2 import SealKey
from tests.support.flow import apply
from tests.support.helpers import ServerThread
from tests.support.personas import LI, LI_CHILD
from tests.support.s3 import locked_library
from tests.support.session import logged_in


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch) -> Iterator[S3Library]:
    with locked_library(monkeypatch, "ruxue-archive") as library:
        yield library


async def test_packages_round_trip_through_s3(
    s3: S3Library,
    web: ServerThread,
    sandbox: ServerThread,
    schools: None,
    db: Database,
    tmp_path: Path,
) -> None:
    http = await logged_in(web, sandbox, LI)
    case = await apply(http, sandbox, "primary", LI_CHILD, None)
    await http.aclose()
    async with db.read_session() as session:
        case_id = (
            await session.scalars(select(Case.id).where(Case.case_no == case["case_no"]))
        ).one()
    built = await build_package(
        db, s3, tmp_path, SealKey.generate(), case_id, "http://127.0.0.1:8000"
    )
    assert built.location == f"s3://ruxue-archive/{built.archive_no}"
    assert s3.numbers() == [built.archive_no]
    assert not any(
        p.name.startswith(".tmp-") for p in os.scandir(tmp_path)
    )  # the scratch copy is gone
    with s3.open(built.archive_no) as path:
        assert {i.code for i in check_package(path) if not i.passed} == set()
    # a package whose upload stopped before its completion marker is not there
    s3.client.put_object(
        Bucket="ruxue-archive", Key="DA2026320508ABCDEF0123/bagit.txt", Body=b"partial"
    )
    assert s3.numbers() == [built.archive_no]
    with pytest.raises(ClientError, match="404"), s3.open("DA2026320508ABCDEF0123"):
        pass
    assert s3.client.head_object(Bucket="ruxue-archive", Key=f"{built.archive_no}/{MARKER}")
