"""The relay of a county system: send the outbox to the city.

A run claims a batch in one short transaction (``kit.db.lease_claim``), posts it with no transaction
open, then writes the outcome in a transaction of its own: sent, or a retry after an exponential
backoff with full jitter, or, after ``RUXUE_RELAY_MAX_ATTEMPTS``, a dead letter for the
administrator. A relay killed between the post and the write leaves its rows claimed; when the
lease ends another run sends them again and the city absorbs the duplicates (it keeps the highest
data version per case and stage). Nothing is lost whichever process dies."""

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
import structlog
from sqlalchemy import and_, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.cases.models import Case
from ruxue.county.models import OutboxRow
from ruxue.county.rules import backoff_s
from ruxue.county.schemas import OutboxEntry, OutboxState
from ruxue.kit import http, pii
from ruxue.kit.clock import utcnow
from ruxue.kit.db import Database, lease_claim
from ruxue.kit.errors import NotFound
from ruxue.settings import Settings

log = structlog.get_logger("county.relay")


@dataclass
class Tally:
    sent: int = 0
    stale: int = 0  # duplicates the city absorbed
    failed: int = 0  # attempts that will be retried
    dead: int = 0
    errors: list[str] = field(default_factory=list)


class Upstream:
    """The city's case-report API, with the access token kept until shortly before it expires."""

    def __init__(
        self, settings: Settings, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self.settings = settings
        self.http = http.client(
            base_url=settings.upstream_url.rstrip("/"), timeout=10, transport=transport
        )
        self.token: tuple[str, dt.datetime] | None = None

    async def _token(self) -> str:
        if self.token and self.token[1] > utcnow():
            return self.token[0]
        answer = await self.http.post(
            "/api/v1/county/token",
            data={"grant_type": "client_credentials"},
            auth=(self.settings.upstream_client_id, self.settings.upstream_client_secret),
        )
        answer.raise_for_status()
        body = answer.json()
        expires = utcnow() + dt.timedelta(seconds=int(body["expires_in"]) - 30)
        self.token = (str(body["access_token"]), expires)
        return self.token[0]

    async def post(self, path: str, body: object) -> httpx.Response:
        for _ in range(2):  # once more with a new token if the city forgot ours
            headers = {"Authorization": f"Bearer {await self._token()}"}
            answer = await self.http.post(f"/api/v1/county/{path}", json=body, headers=headers)
            if answer.status_code != 401:
                return answer
            self.token = None
        return answer

    async def aclose(self) -> None:
        await self.http.aclose()


Claimed = tuple[int, int, dict[str, object]]  # id, attempts, payload


async def claim(db: Database, relay: str, batch: int, lease_s: float) -> list[Claimed]:
    now = utcnow()
    due = and_(OutboxRow.sent_at.is_(None), OutboxRow.dead_at.is_(None), OutboxRow.next_at <= now)
    lease = dt.timedelta(seconds=lease_s)
    taken = lease_claim(OutboxRow, due, now, lease, batch, claimed_by=relay).returning(
        OutboxRow.id, OutboxRow.attempts, OutboxRow.payload
    )
    async with db.write_session() as session:
        return sorted((r.id, r.attempts, r.payload) for r in (await session.execute(taken)).all())


async def run(db: Database, upstream: Upstream, settings: Settings) -> Tally:
    """Send batches until nothing is due; a batch that fails ends the run (the city is down)."""
    relay, tally = f"relay-{uuid.uuid4().hex[:12]}", Tally()
    while rows := await claim(db, relay, settings.relay_batch, settings.relay_lease_s):
        if not await _send(db, upstream, settings, relay, rows, tally):
            break
    return tally


async def _send(
    db: Database,
    upstream: Upstream,
    settings: Settings,
    relay: str,
    rows: list[Claimed],
    tally: Tally,
) -> bool:
    try:
        reports = await _with_people(db, [p for _, _, p in rows])
        answer = await upstream.post("reports", {"reports": reports})
    except httpx.HTTPError as exc:
        await _failed(db, settings, relay, rows, f"{type(exc).__name__}: {exc}"[:300], tally)
        return False
    if answer.is_success:
        tally.stale += int(answer.json().get("stale", 0))
        await _sent(db, relay, [r[0] for r in rows], tally)
        return True
    if answer.status_code in (400, 403, 422) and len(rows) > 1:
        for row in rows:  # find the record the city refuses; the others go through
            await _send(db, upstream, settings, relay, [row], tally)
        return True
    await _failed(
        db, settings, relay, rows, f"HTTP {answer.status_code}: {answer.text[:200]}", tally
    )
    return answer.status_code < 500 and answer.status_code != 429


async def _with_people(db: Database, payloads: list[dict[str, object]]) -> list[dict[str, object]]:
    """Each report with the child's and the applicant's ID numbers, read from the case when it is
    sent (the outbox keeps no personal data): the city tells the family and its desks where the
    child applied. A case with no numbers (the demo's) is reported without them."""
    numbers = {str(p["case_no"]) for p in payloads}
    async with db.read_session() as session:
        rows = await session.execute(
            select(Case.case_no, Case.child_enc, Case.guardian_enc).where(Case.case_no.in_(numbers))
        )
        people = {no: (_clear(child), _clear(guardian)) for no, child, guardian in rows.all()}
    out = []
    for payload in payloads:
        child, applicant = people.get(str(payload["case_no"]), (None, None))
        named = {"child_id_number": child, "applicant_id_number": applicant}
        out.append(payload | {k: v for k, v in named.items() if v})
    return out


def _clear(token: str | None) -> str | None:
    return pii.decrypt(token) if token else None


async def _sent(db: Database, relay: str, ids: list[int], tally: Tally) -> None:
    mine = and_(OutboxRow.id.in_(ids), OutboxRow.claimed_by == relay)
    async with db.write_session() as session:
        done = await session.execute(
            update(OutboxRow).where(mine).values(sent_at=utcnow(), claimed_until=None)
        )
    tally.sent += done.rowcount  # type: ignore[attr-defined]


async def _failed(
    db: Database, settings: Settings, relay: str, rows: list[Claimed], error: str, tally: Tally
) -> None:
    now = utcnow()
    async with db.write_session() as session:
        for row_id, attempts, _ in rows:
            dead = attempts >= settings.relay_max_attempts
            delay = backoff_s(attempts, settings.relay_backoff_s)
            await session.execute(
                update(OutboxRow)
                .where(OutboxRow.id == row_id, OutboxRow.claimed_by == relay)
                .values(
                    claimed_until=None,
                    last_error=error,
                    next_at=now + dt.timedelta(seconds=delay),
                    dead_at=now if dead else None,
                )
            )
            tally.dead += dead
            tally.failed += not dead
    tally.errors.append(error)
    log.warning("county report not delivered", rows=len(rows), error=error)


async def state(session: AsyncSession, limit: int = 100) -> OutboxState:
    count = select(func.count()).select_from(OutboxRow)
    pending = await session.scalar(
        count.where(OutboxRow.sent_at.is_(None), OutboxRow.dead_at.is_(None))
    )
    sent = await session.scalar(count.where(OutboxRow.sent_at.is_not(None)))
    dead = (
        await session.scalars(
            select(OutboxRow)
            .where(OutboxRow.dead_at.is_not(None))
            .order_by(OutboxRow.id)
            .limit(limit)
        )
    ).all()
    return OutboxState(
        pending=pending or 0,
        sent=sent or 0,
        dead=[OutboxEntry.model_validate(r, from_attributes=True) for r in dead],
    )


async def revive(session: AsyncSession, row_id: int) -> None:
    await revive_row(session, OutboxRow, row_id, "没有这条未送达记录。")


async def revive_row(session: AsyncSession, model: type[Any], row_id: int, missing: str) -> None:
    """A dead letter (a row with ``dead_at``, ``attempts``, ``next_at``, ``last_error``: the
    outbox's or the back-channel logouts') sent again from now, with fresh attempts."""
    row = await session.get(model, row_id)
    if row is None or row.dead_at is None:
        raise NotFound(missing)
    row.dead_at, row.attempts, row.next_at, row.last_error = None, 0, utcnow(), ""
    await session.flush()
