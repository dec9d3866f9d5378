"""One client for every department, through the data-sharing gateway at ``RUXUE_EXCHANGE_URL``.

Independent asks go out concurrently; each has a timeout, retries with exponential backoff and
jitter (tenacity) for transient failures, and a circuit breaker per department. Every call ends in
the hash-chained call log, whatever its outcome.
"""

import asyncio
import os
import socket
import time
import uuid
import zlib
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from typing import Any

import aiohttp
import orjson
import structlog
from tenacity import (
    AsyncRetrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_random_exponential,
)

from ruxue.exchange.breaker import Breakers
from ruxue.exchange.envelope import (
    BATCH_SERVICES,
    MANDATE_SERVICES,
    Consent,
    Header,
    body_subjects,
    request_hash,
    response_valid,
    sign_request,
)
from ruxue.exchange.log_writer import CallLogWriter
from ruxue.kit import pii
from ruxue.kit.clock import utcnow
from ruxue.kit.crypto import canonical_json, sm3_hex
from ruxue.kit.db import Database
from ruxue.settings import Settings

log = structlog.get_logger("exchange")

JSON_HEADERS = {"content-type": "application/json"}
OK, NO_RECORD, REFUSED, UNAVAILABLE, BAD_RESPONSE = (
    "ok",
    "no_record",
    "refused",
    "unavailable",
    "bad_response",
)


@dataclass(frozen=True)
class CallContext:
    case_no: str
    operator: str  # the guardian's ID number or a staff id; only its keyed hash leaves the system
    consents: tuple[Consent, ...]
    purpose: str = "ENROLLMENT"

    def covering(self, subjects: set[str]) -> list[Consent]:
        """The consents that name someone this request asks about."""
        return [c for c in self.consents if subjects & set(c["subjects"])]


@dataclass(frozen=True)
class Ask:
    service: str  # "police.person"
    body: dict[str, Any]
    fields: tuple[str, ...] = ()
    timeout_s: float | None = None  # for a bulk answer; the client's setting otherwise
    batch: bool = False  # body is ``{"items": [...]}``, sent to the service's batch form

    @property
    def department(self) -> str:
        return self.service.split(".", 1)[0]


@dataclass
class Answer:
    ask: Ask
    outcome: str
    data: Any = None
    status: int | None = None
    request_id: str = ""
    attempts: int = 0
    latency_ms: float = 0.0
    error: str | None = None
    response_hash: str | None = None  # SM3 of the canonical data
    log_row: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def ok(self) -> bool:
        return self.outcome in (OK, NO_RECORD)


# the call-log rows of a ``one_log_write`` block, appended when it ends
_held: ContextVar[list[dict[str, Any]] | None] = ContextVar("call_log_held", default=None)


class Transient(Exception):
    def __init__(self, reason: str, status: int | None = None) -> None:
        super().__init__(reason)
        self.status = status


class ExchangeClient:
    def __init__(
        self, settings: Settings, db: Database, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.settings, self.db = settings, db
        self.base = settings.exchange_url.rstrip("/")
        self.key = bytes.fromhex(settings.exchange_client_key)
        self.provider_key = bytes.fromhex(settings.exchange_provider_key)
        self._http: aiohttp.ClientSession | None = None
        self._chain: tuple[int, int] | None = None  # (pid, chain)
        self.breakers = Breakers(settings.breaker_failures, settings.breaker_reset_s, clock)
        self.log = CallLogWriter(db)
        # told of every finished call with its breaker's state (the operators' metrics, traces)
        self.observers: list[Callable[[CallContext, Answer, str], None]] = []

    @property
    def http(self) -> aiohttp.ClientSession:
        # aiohttp rather than httpx on this hot path: measured here, httpx/httpcore's connection
        # pool made ~400 requests/s on one core where aiohttp makes ~1,800
        if self._http is None or self._http.closed:
            self._http = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self.settings.exchange_timeout_s),
                connector=aiohttp.TCPConnector(limit=100),
                json_serialize=lambda v: orjson.dumps(v).decode(),
            )
        return self._http

    async def aclose(self) -> None:
        await self.log.close()
        if self._http is not None:
            await self._http.close()

    async def ask(self, ctx: CallContext, ask: Ask) -> Answer:
        return (await self.ask_all(ctx, [ask]))[0]

    async def ask_all(self, ctx: CallContext, asks: Sequence[Ask]) -> list[Answer]:
        """Ask independent departments at once; the step lasts as long as the slowest."""
        answers = list(await asyncio.gather(*(self._call(ctx, a) for a in asks)))
        await self._log([a.log_row for a in answers])
        return answers

    async def _log(self, rows: list[dict[str, Any]]) -> None:
        held = _held.get()
        if held is None:
            await self.log.append(self.chain, rows)
        else:
            held.extend(rows)

    @asynccontextmanager
    async def one_log_write(self) -> AsyncIterator[None]:
        """The call-log rows of every ask inside, appended in one transaction when the block ends,
        whatever happens in it: a step whose rounds of calls depend on each other takes the chain
        head once, not once per round (peak day: one transaction and three statements fewer)."""
        held: list[dict[str, Any]] = []
        token = _held.set(held)
        try:
            yield
        finally:
            _held.reset(token)
            if held:
                await self.log.append(self.chain, held)

    @property
    def chain(self) -> int:
        """This process's call-log chain. Per process, not per case: two web processes whose
        writers shared chain heads waited for each other's commits on every department call
        (peak day: a second process added 5 % instead of doubling). Chosen when first used, in the
        process that uses it (after any fork)."""
        if self._chain is None or self._chain[0] != os.getpid():
            me = f"{socket.gethostname()}:{os.getpid()}".encode()
            self._chain = (os.getpid(), zlib.crc32(me) % self.settings.call_log_chains)
        return self._chain[1]

    async def ask_many(
        self, ctx: CallContext, asks: Sequence[Ask], batch_size: int = 500
    ) -> list[Answer]:
        """Many persons' look-ups, batched: one signed request and one call-log entry (naming every
        person asked about) per service and batch; one answer per ask, in order. An ask repeated
        is sent once. Every ask's service must be in ``BATCH_SERVICES``."""
        if not asks:
            return []
        unique: dict[tuple[str, bytes], Ask] = {}
        for ask in asks:
            unique.setdefault(_key(ask), ask)
        by_service: dict[str, list[Ask]] = defaultdict(list)
        for ask in unique.values():
            by_service[ask.service].append(ask)
        chunks = [
            g[i : i + batch_size] for g in by_service.values() for i in range(0, len(g), batch_size)
        ]
        batches = await asyncio.gather(*(self._call(ctx, self._batch_ask(c)) for c in chunks))
        await self._log([b.log_row for b in batches])
        found: dict[tuple[str, bytes], Answer] = {}
        for batch, chunk in zip(batches, chunks, strict=True):
            found.update(zip(map(_key, chunk), split_batch(batch, chunk), strict=True))
        return [found[_key(a)] for a in asks]

    def _batch_ask(self, chunk: Sequence[Ask]) -> Ask:
        first = chunk[0]
        if first.service not in BATCH_SERVICES:
            raise ValueError(f"{first.service} has no batch form")
        body = {"items": [a.body for a in chunk]}
        return Ask(first.service, body, first.fields, self.settings.exchange_batch_timeout_s, True)

    async def _call(self, ctx: CallContext, ask: Ask) -> Answer:
        header = self._header(ctx, ask)
        req_hash = request_hash(header, ask.body)
        envelope = sign_request(header, ask.body, self.key, req_hash)
        answer = Answer(ask=ask, outcome=UNAVAILABLE, request_id=header["request_id"])
        started = time.perf_counter()
        breaker = self.breakers[ask.department]
        if (
            not header["consents"] and ask.service not in MANDATE_SERVICES
        ):  # never asked without consent
            answer.outcome, answer.error = REFUSED, "no_consent"
        elif not breaker.allow():
            answer.error = "circuit_open"
        else:
            await self._send(ask, envelope, req_hash, answer)
            if answer.outcome in (UNAVAILABLE, BAD_RESPONSE):
                breaker.failed()
            else:
                breaker.succeeded()
        answer.latency_ms = round((time.perf_counter() - started) * 1000, 1)
        answer.log_row = self._log_row(ctx, ask, header, req_hash, answer)
        for observe in self.observers:
            observe(ctx, answer, breaker.state)
        if not answer.ok:
            log.warning(
                "department call failed",
                service=ask.service,
                outcome=answer.outcome,
                error=answer.error,
                case_no=ctx.case_no,
            )
        return answer

    async def _send(
        self, ask: Ask, envelope: dict[str, Any], req_hash: str, answer: Answer
    ) -> None:
        url = f"{self.base}/{ask.service.replace('.', '/')}/v1" + ("/batch" if ask.batch else "")
        payload = orjson.dumps(envelope)

        async def attempt_once() -> None:
            answer.attempts += 1
            self._read(await self._post(url, payload, ask.timeout_s), req_hash, answer)

        # The first attempt outside tenacity: its loop costs ~50 µs a call (measured here), and
        # nearly every call succeeds at once. A failed first attempt is handed to tenacity as its
        # own attempt 1, so the retries, their backoff and the count are tenacity's as before.
        try:
            await attempt_once()
            return
        except Transient as exc:
            failed: Transient | None = exc
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.settings.exchange_attempts),
            wait=wait_random_exponential(multiplier=self.settings.exchange_backoff_s, max=2.0),
            retry=retry_if_exception_type(Transient),
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    if failed is not None:
                        first, failed = failed, None
                        raise first
                    await attempt_once()
        except Transient as exc:
            answer.outcome, answer.status, answer.error = UNAVAILABLE, exc.status, str(exc)

    async def _post(self, url: str, payload: bytes, timeout_s: float | None) -> tuple[int, bytes]:
        # timeout=None would mean "no timeout" to aiohttp: fall back to the setting
        timeout = aiohttp.ClientTimeout(total=timeout_s or self.settings.exchange_timeout_s)
        try:
            async with self.http.post(
                url, data=payload, headers=JSON_HEADERS, timeout=timeout
            ) as response:
                status, body = response.status, await response.read()
        except TimeoutError:
            raise Transient("timeout") from None
        except aiohttp.ClientError as exc:
            raise Transient(f"transport: {type(exc).__name__}") from None
        if status >= 500 or status == 429:
            raise Transient(f"http {status}", status)
        return status, body

    def _read(self, response: tuple[int, bytes], req_hash: str, answer: Answer) -> None:
        answer.status, raw = response
        try:
            body = orjson.loads(raw)
        except orjson.JSONDecodeError:
            answer.outcome, answer.error = BAD_RESPONSE, "not json"
            return
        if answer.status == 404 and body.get("error") == "no_record":
            valid = response_valid(body, req_hash, self.provider_key)
            answer.outcome = NO_RECORD if valid else BAD_RESPONSE
        elif answer.status != 200:
            answer.outcome, answer.error = REFUSED, str(body.get("error") or answer.status)
        elif not response_valid(body, req_hash, self.provider_key, data_json := _canonical(body)):
            answer.outcome, answer.error = (
                BAD_RESPONSE,
                "response signature or request hash invalid",
            )
        else:
            answer.outcome, answer.data = OK, body["data"]
            answer.response_hash = sm3_hex(data_json)

    def _header(self, ctx: CallContext, ask: Ask) -> Header:
        return Header(
            client_id=self.settings.exchange_client_id,
            request_id=str(uuid.uuid4()),
            case_no=ctx.case_no,
            operator=operator_hash(ctx.operator),
            purpose=ctx.purpose,
            service=ask.service,
            version="v1",
            issued_at=utcnow().isoformat(),
            consents=ctx.covering(body_subjects(ask.body)),
        )

    def _log_row(
        self, ctx: CallContext, ask: Ask, header: Header, req_hash: str, answer: Answer
    ) -> dict[str, Any]:
        subjects = sorted(body_subjects(ask.body))
        response_hash = answer.response_hash if answer.outcome == OK else None
        return {
            "at": self.settings.clock(),  # the app's clock: the tracker shows it beside case dates
            "client_id": header["client_id"],
            "request_id": header["request_id"],
            "case_no": ctx.case_no,
            "operator": header["operator"],
            "consent_ids": [c["id"] for c in header["consents"]],
            "purpose": ctx.purpose,
            "service": ask.service,
            "version": "v1",
            "department": ask.department,
            "subjects": [pii.blind_index(s) for s in subjects],
            "fields": list(ask.fields),
            "request_hash": req_hash,
            "response_hash": response_hash,
            "outcome": answer.outcome,
            "status": answer.status,
            "attempts": answer.attempts,
            "latency_ms": answer.latency_ms,
        }


def _canonical(body: dict[str, Any]) -> bytes:
    return canonical_json(body.get("data"))


def _key(ask: Ask) -> tuple[str, bytes]:
    return ask.service, orjson.dumps(ask.body, option=orjson.OPT_SORT_KEYS)


def split_batch(batch: Answer, asks: Sequence[Ask]) -> list[Answer]:
    """One answer per ask from a batch's answer: the item's data or no record when the batch was
    answered; the batch's failure for every item when it was not."""
    items = batch.data if batch.outcome == OK else None
    if items is not None and not _items_valid(items, len(asks)):
        batch = replace(batch, outcome=BAD_RESPONSE, error="batch answer does not match")
        items = None
    answers = []
    for i, ask in enumerate(asks):
        answer = replace(batch, ask=ask, data=None, response_hash=None, log_row={})
        if items is not None:
            _read_item(items[i], answer)
        answers.append(answer)
    return answers


def _items_valid(items: Any, count: int) -> bool:
    return (
        isinstance(items, list) and len(items) == count and all(isinstance(i, dict) for i in items)
    )


def _read_item(item: dict[str, Any], answer: Answer) -> None:
    if "data" in item:
        answer.outcome, answer.data = OK, item["data"]
    elif item.get("no_record"):
        answer.outcome, answer.status = NO_RECORD, 404
    else:
        answer.outcome, answer.error = REFUSED, str(item.get("error") or "refused")


def operator_hash(operator: str) -> str:
    """The operator as the departments see it: keyed (the blind-index key), so an ID number
    cannot be recovered by hashing every possible one, yet the city can find the operator."""
    return pii.blind_index("operator:" + operator)
