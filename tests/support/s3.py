"""An S3 stand-in for the archive's tests: a moto server on a free port with a bucket under
Object Lock, and the library writing to it."""

from collections.abc import Iterator
from contextlib import contextmanager

import boto3
import pytest
from moto.server import ThreadedMotoServer

from ruxue.archive.storage import S3Library, create_locked_bucket
from tests.support.helpers import free_port


@contextmanager
def locked_library(
    monkeypatch: pytest.MonkeyPatch, bucket: str, **options: int
) -> Iterator[S3Library]:
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    for key, value in {
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(key, value)
    client = boto3.client("s3", endpoint_url=f"http://127.0.0.1:{port}")
    create_locked_bucket(client, bucket)  # the library writes under Object Lock
    try:
        yield S3Library(bucket, client, **options)
    finally:
        server.stop()
