"""Retries of a department call: the first attempt runs outside tenacity, a failed one is counted
as tenacity's attempt 1. The transport is replaced; the answer is signed as the provider signs."""

from collections.abc import AsyncIterator
from typing import Any

import orjson
import pytest

from ruxue.exchange.client import OK, UNAVAILABLE, Ask, ExchangeClient, Transient
from ruxue.exchange.envelope import request_hash, sign_response
from ruxue.kit.db import Database
from ruxue.settings import Settings
from tests.support.exchange import CHILD, _ctx

ASK = Ask("police.person", {"id_number": CHILD})


class Flaky:
    """Fails the first ``failures`` posts, then answers with signed data."""

    def __init__(self, client: ExchangeClient, failures: int) -> None:
        self.client, self.failures, self.posts = client, failures, 0

    async def __call__(
        self, url: str, payload: bytes, timeout_s: float | None
    ) -> tuple[int, bytes]:
        self.posts += 1
        if self.posts <= self.failures:
            raise Transient("http 503", 503)
        envelope: dict[str, Any] = orjson.loads(payload)
        digest = request_hash(envelope["header"], envelope["body"])
        data = {"id_number": CHILD, "area": 89.5}
        return 200, orjson.dumps(sign_response(digest, data, self.client.provider_key))


@pytest.fixture
async def client(settings: Settings, db: Database) -> AsyncIterator[ExchangeClient]:
    exchange = ExchangeClient(settings, db)  # exchange_attempts = 3 in the test settings
    yield exchange
    await exchange.aclose()


@pytest.mark.parametrize(("failures", "outcome", "attempts"), [(0, OK, 1), (1, OK, 2), (2, OK, 3)])
async def test_a_failed_attempt_is_retried(
    client: ExchangeClient, db: Database, failures: int, outcome: str, attempts: int
) -> None:
    client._post = flaky = Flaky(client, failures)  # type: ignore[method-assign]
    answer = await client.ask(await _ctx(db), ASK)
    assert (answer.outcome, answer.attempts, flaky.posts) == (outcome, attempts, attempts)
    assert answer.data == {"id_number": CHILD, "area": 89.5}


async def test_retries_stop_at_the_setting(client: ExchangeClient, db: Database) -> None:
    client._post = flaky = Flaky(client, 5)  # type: ignore[method-assign]
    answer = await client.ask(await _ctx(db), ASK)
    assert (answer.outcome, answer.attempts, answer.status, flaky.posts) == (
        UNAVAILABLE,
        3,
        503,
        3,
    )


async def test_one_attempt_only_when_so_set(settings: Settings, db: Database) -> None:
    client = ExchangeClient(settings.model_copy(update={"exchange_attempts": 1}), db)
    try:
        client._post = flaky = Flaky(client, 1)  # type: ignore[method-assign]
        answer = await client.ask(await _ctx(db), ASK)
        assert (answer.outcome, answer.attempts, flaky.posts) == (UNAVAILABLE, 1, 1)
    finally:
        await client.aclose()
