"""The archive library's storage: a local directory (default) or an S3-compatible bucket.

A package becomes visible in one step on both: a directory rename locally; on S3 a
``{档号}/.complete`` marker written after every object, so a half-uploaded package is never read."""

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

MARKER = ".complete"


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
        if final.exists():
            shutil.rmtree(final)  # from a crashed earlier run that was never recorded
        built.rename(final)
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


class S3Library:
    def __init__(self, bucket: str, client: Any) -> None:
        self.bucket, self.client = bucket, client

    @classmethod
    def from_url(cls, url: str, endpoint: str | None = None) -> "S3Library":
        import boto3

        return cls(url.removeprefix("s3://").strip("/"), boto3.client("s3", endpoint_url=endpoint))

    def store(self, built: Path, number: str) -> str:
        for path in sorted(p for p in built.rglob("*") if p.is_file()):
            self.client.upload_file(
                str(path), self.bucket, f"{number}/{path.relative_to(built).as_posix()}"
            )
        self.client.put_object(Bucket=self.bucket, Key=f"{number}/{MARKER}", Body=b"")
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
        return S3Library.from_url(settings.archive_url, settings.archive_s3_endpoint or None)
    return LocalLibrary(settings.archive_dir)
