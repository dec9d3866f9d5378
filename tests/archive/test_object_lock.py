"""An archive package, once stored, stays as it was stored: on S3 under Object Lock (compliance
mode), which refuses to delete a locked version (moto does not enforce the ban on shortening a
compliance retention, real S3 and MinIO do), and the library refuses
to store the number again; locally read-only, and a replaced leftover kept aside, never deleted."""

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from ruxue.archive.storage import (
    MARKER,
    LocalLibrary,
    PackageLocked,
    S3Library,
)
from tests.support.s3 import locked_library

NUMBER = "DA2026320508ABCDEF0123"
BUCKET = "ruxue-archive-locked"


def built(root: Path, text: str = "原件") -> Path:
    package = root / f".tmp-{NUMBER}-{text.encode().hex()}"
    (package / "data" / "content").mkdir(parents=True)
    (package / "bagit.txt").write_text("BagIt-Version: 1.0\n")
    (package / "data" / "content" / "001-公办地段学位告知书.pdf").write_text(text)
    return package


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch) -> Iterator[S3Library]:
    with locked_library(monkeypatch, BUCKET, retention_years=30) as library:
        yield library


def test_a_locked_package_cannot_be_overwritten_or_deleted(s3: S3Library, tmp_path: Path) -> None:
    s3.store(built(tmp_path), NUMBER)
    key = f"{NUMBER}/data/content/001-公办地段学位告知书.pdf"
    head = s3.client.head_object(Bucket=BUCKET, Key=key)
    assert head["ObjectLockMode"] == "COMPLIANCE"
    assert head["ObjectLockRetainUntilDate"].year == dt.datetime.now(dt.UTC).year + 30
    version = head["VersionId"]

    with pytest.raises(PackageLocked):  # the library never stores a number twice
        s3.store(built(tmp_path, "篡改"), NUMBER)
    with pytest.raises(ClientError, match="AccessDenied"):  # nor deletes a locked version
        s3.client.delete_object(Bucket=BUCKET, Key=key, VersionId=version)
    # a plain delete only hides the object behind a delete marker: the locked version stays
    s3.client.delete_object(Bucket=BUCKET, Key=key)
    kept = s3.client.get_object(Bucket=BUCKET, Key=key, VersionId=version)
    assert kept["Body"].read().decode() == "原件"
    assert s3.client.head_object(Bucket=BUCKET, Key=f"{NUMBER}/{MARKER}")


def test_a_local_package_is_read_only_and_a_leftover_kept_aside(tmp_path: Path) -> None:
    library = LocalLibrary(tmp_path / "library")
    stored = Path(library.store(built(tmp_path), NUMBER))
    document = stored / "data" / "content" / "001-公办地段学位告知书.pdf"
    assert document.stat().st_mode & 0o777 == 0o444
    assert stored.stat().st_mode & 0o777 == 0o555
    assert (stored / "data").stat().st_mode & 0o777 == 0o555

    library.store(built(tmp_path, "重建"), NUMBER)  # an unrecorded earlier run: moved aside
    assert document.read_text() == "重建"
    aside = [p for p in library.root.iterdir() if p.name.startswith(f".replaced-{NUMBER}-")]
    assert len(aside) == 1
    assert (aside[0] / "data" / "content" / document.name).read_text() == "原件"
    assert library.numbers() == [NUMBER]
