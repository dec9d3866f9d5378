"""The archive library's storage: a local directory (default) or an S3-compatible bucket.

A package becomes visible in one step on both: a directory rename locally; on S3 a
``{档号}/.complete`` marker written after every object, so a half-uploaded package is never read.

Once stored a package is kept as it is (单套制: the archive is the only record). On S3 every object
is written under Object Lock in compliance mode until ``RUXUE_ARCHIVE_RETENTION_YEARS`` (30) have
passed, in a bucket made with Object Lock (``create_locked_bucket``): neither the application nor
an operator with the storage credentials can delete or shorten a locked version, and the library
refuses to store a number twice. Locally files are made read-only (0444, directories 0555): an
accident, not an insider, is stopped; the digest re-check (``archive.service.run_check``, nightly
and in ``ruxue restore-check``) notices any file changed or gone."""

import datetime as dt
import shutil
import stat
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

MARKER = ".complete"
LOCK_MODE = "COMPLIANCE"


class PackageLocked(Exception):
    """A package with this number is already in the library and may not be replaced."""


def read_only(root: Path) -> None:
    """Files 0444, directories 0555, deepest first (a directory is closed after its contents)."""
    for path in sorted(root.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        path.chmod(0o555 if path.is_dir() else 0o444)
    root.chmod(0o555)


def _writable(root: Path) -> None:
    for path in [root, *root.rglob("*")]:
        if path.is_dir():
            path.chmod(path.stat().st_mode | stat.S_IWUSR | stat.S_IXUSR)


class Library(Protocol):
    def store(self, built: Path, number: str) -> str:
        """Take a finished package directory; returns its location."""
        ...

    @contextmanager
    def open(self, number: str) -> Iterator[Path]:
        """A local directory holding the package, for reading."""
        ...

    def numbers(self) -> list[str]: ...


class LocalLibrary:
    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)

    def store(self, built: Path, number: str) -> str:
        final = self.root / number
        if final.exists():  # from a crashed earlier run that was never recorded: kept aside
            _writable(final)
            final.rename(self.root / f".replaced-{number}-{time.time_ns()}")
        built.rename(final)
        read_only(final)
        return str(final)

    @contextmanager
    def open(self, number: str) -> Iterator[Path]:
        path = self.root / number
        if not path.is_dir():
            raise FileNotFoundError(number)
        yield path

    def numbers(self) -> list[str]:
        return sorted(
            p.name for p in self.root.iterdir() if p.is_dir() and not p.name.startswith(".")
        )


def create_locked_bucket(client: Any, bucket: str) -> None:
    """A bucket with Object Lock (and so versioning) enabled: it can only be made so at creation."""
    client.create_bucket(Bucket=bucket, ObjectLockEnabledForBucket=True)


class S3Library:
    def __init__(self, bucket: str, client: Any, retention_years: int = 30) -> None:
        self.bucket, self.client, self.retention_years = bucket, client, retention_years

    @classmethod
    def from_url(
        cls, url: str, endpoint: str | None = None, retention_years: int = 30
    ) -> "S3Library":
        import boto3

        client = boto3.client("s3", endpoint_url=endpoint)
        return cls(url.removeprefix("s3://").strip("/"), client, retention_years)

    def _lock(self) -> dict[str, Any]:
        until = dt.datetime.now(dt.UTC).replace(microsecond=0)
        until = until.replace(year=until.year + self.retention_years, day=min(until.day, 28))
        return {"ObjectLockMode": LOCK_MODE, "ObjectLockRetainUntilDate": until}

    def _complete(self, number: str) -> bool:
        found = self.client.list_objects_v2(Bucket=self.bucket, Prefix=f"{number}/{MARKER}")
        return bool(found.get("KeyCount"))

    def store(self, built: Path, number: str) -> str:
        if self._complete(number):
            raise PackageLocked(f"{number} is already in the library")
        lock = self._lock()
        for path in sorted(p for p in built.rglob("*") if p.is_file()):
            key = f"{number}/{path.relative_to(built).as_posix()}"
            self.client.upload_file(str(path), self.bucket, key, ExtraArgs=lock)
        self.client.put_object(Bucket=self.bucket, Key=f"{number}/{MARKER}", Body=b"", **lock)
        shutil.rmtree(built)
        return f"s3://{self.bucket}/{number}"

    @contextmanager
    def open(self, number: str) -> Iterator[Path]:
        self.client.head_object(
            Bucket=self.bucket, Key=f"{number}/{MARKER}"
        )  # raises when incomplete
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp) / number
            pages = self.client.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=f"{number}/"
            )
            for page in pages:
                for obj in page.get("Contents", []):
                    rel = obj["Key"].removeprefix(f"{number}/")
                    if rel == MARKER:
                        continue
                    target = root / rel
                    target.parent.mkdir(parents=True, exist_ok=True)
                    self.client.download_file(self.bucket, obj["Key"], str(target))
            yield root

    def numbers(self) -> list[str]:
        found = set()
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket):
            for obj in page.get("Contents", []):
                if obj["Key"].endswith(f"/{MARKER}"):
                    found.add(obj["Key"].split("/", 1)[0])
        return sorted(found)


def library_from(settings: Any) -> Library:
    if settings.archive_url.startswith("s3://"):
        return S3Library.from_url(
            settings.archive_url,
            settings.archive_s3_endpoint or None,
            settings.archive_retention_years,
        )
    return LocalLibrary(settings.archive_dir)
