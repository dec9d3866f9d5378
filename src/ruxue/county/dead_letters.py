"""Dead letters the administrator sends again: the county outbox's rows (on a county) and the
back-channel logouts (on the city, registered by the composition root, ``ruxue.wiring``). One way
for both, from the page and the API: the row revived with fresh attempts, the action audited, its
sender queued once the transaction commits."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.county import relay
from ruxue.county.tasks import relay_now
from ruxue.kit.db import enqueue_after_commit
from ruxue.kit.errors import NotFound
from ruxue.staff.auth import Staff, require
from ruxue.staff.service import audit


@dataclass(frozen=True)
class DeadLetters:
    revive: Callable[[AsyncSession, int], Awaitable[None]]
    action: str  # in the audit log
    sender: Callable[[], object]  # the job that sends due rows


KINDS = {
    "outbox": DeadLetters(relay.revive, "county_outbox_retry", relay_now),
}


def register(kind: str, letters: DeadLetters) -> None:
    """Another feature's dead letters (the provider's back-channel logouts), by the composition
    root; registering a kind again replaces it."""
    KINDS[kind] = letters


async def send_again(session: AsyncSession, staff: Staff, kind: str, row_id: int) -> None:
    require(staff, "admin")
    letters = KINDS.get(kind)
    if letters is None:
        raise NotFound("没有这类未送达记录。")
    await letters.revive(session, row_id)
    await audit(session, staff, letters.action, target=str(row_id))
    enqueue_after_commit(session, letters.sender)
