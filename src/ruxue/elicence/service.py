"""Issue, revoke and look up licences. Issuing and revoking only write rows and queue jobs; the
library is called by the jobs, after the commit (``tasks.py``)."""

import base64
import datetime as dt
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.cases import lifecycle
from ruxue.cases.lifecycle import Transition
from ruxue.cases.models import Case
from ruxue.cases.repository import staff_case
from ruxue.cases.status import Action, Status
from ruxue.elicence import repository as licences
from ruxue.elicence.models import PENDING, REVOKING, Licence
from ruxue.elicence.rules import label
from ruxue.exchange.client import NO_RECORD, OK, Ask, CallContext, ExchangeClient
from ruxue.kit.db import enqueue_after_commit
from ruxue.kit.errors import Conflict, NotFound, RuxueError, Unavailable
from ruxue.kit.sealkeys import signature_holds
from ruxue.person.rules import mask_id_number, mask_name
from ruxue.reference.districts import issuer_of
from ruxue.staff.auth import Staff, require
from ruxue.staff.service import audit


async def licence_issued(session: AsyncSession, case: Case) -> Licence:
    """The licence row of a notice just issued, filed in the library once this transaction
    commits."""
    from ruxue.elicence.tasks import register  # the job module imports the notice renderer

    licence = Licence(
        case_id=case.id,
        licence_no=case.notice_no or "",
        verify_code=case.verify_code or "",
        holder_masked=case.child_name_masked,
        issuer=issuer_of(case.district_code),
        status=PENDING,
    )
    session.add(licence)
    await session.flush()
    enqueue_after_commit(session, register, licence.id)
    return licence


async def revoke_notice(
    session: AsyncSession, staff: Staff, now: dt.datetime, case_no: str, reason: str
) -> Case:
    """撤销学位告知书: the decision is reversed, the case goes back to the review queue and the
    licence is revoked in the library after the commit."""
    require(staff, "admin")
    if not reason.strip():
        raise RuxueError("请填写撤销理由", field="reason")
    case = await staff_case(session, staff, case_no, lock=True)
    if case is None:
        raise NotFound("办件不存在")
    if case.outcome != Status.NOTICE_ISSUED:
        raise Conflict("该办件没有有效的学位告知书，无需撤销")
    notice_no = case.notice_no
    await lifecycle.revoke(session, case, staff.actor, now, reason.strip())
    await audit(
        session,
        staff,
        Action.REVOKE,
        target=case.case_no,
        notice_no=notice_no,
        reason=reason.strip(),
    )
    return case


async def on_transition(session: AsyncSession, transition: Transition) -> None:
    """A subscriber of the case lifecycle: a licence for a notice issued, revoked with it."""
    if Status.NOTICE_ISSUED in transition.events:
        await licence_issued(session, transition.case)
    elif transition.action == Action.REVOKE:
        await _revoke_licence(session, transition)


async def _revoke_licence(session: AsyncSession, transition: Transition) -> None:
    """The licence is revoked in the library after the commit."""
    from ruxue.elicence.tasks import revoke

    licence = await licences.by_case(session, transition.case.id)
    if licence is not None:
        licence.status, licence.revoked_at = REVOKING, transition.now
        licence.revoke_reason = str(transition.detail["reason"])
        enqueue_after_commit(session, revoke, licence.id)


async def lookup(
    client: ExchangeClient, staff: Staff, licence_no: str, keys: list[dict[str, Any]]
) -> dict[str, Any]:
    """A school's desk checks a licence the holder shows it, with the holder's consent (the caller
    records it), against the seal's published ``keys``; nothing here writes."""
    require(staff, "desk", "reviewer", "admin")
    ctx = CallContext(licence_no, f"staff:{staff.id}", (), "LICENCE_CHECK")
    answer = await client.ask(ctx, Ask("elicence.lookup", {"licence_no": licence_no}))
    if answer.outcome == NO_RECORD:
        raise NotFound("电子证照库中没有这个证照编号")
    if answer.outcome != OK:
        raise Unavailable("电子证照库暂时无法查询，请稍后再试")
    return shown(answer.data, keys)


def shown(data: dict[str, Any], keys: list[dict[str, Any]]) -> dict[str, Any]:
    """What the desk sees: the holder masked, the status, and whether the seal signature holds
    with the published key of the licence's key id (a key the record carries is never used)."""
    sealed = signature_holds(
        keys,
        str(data.get("key_id", "")),
        dt.datetime.fromisoformat(str(data.get("signed_at") or "1970-01-01T00:00:00+00:00")),
        base64.b64decode(data["pdf_base64"]),
        bytes.fromhex(data["signature_hex"]),
    )
    status = "registered" if data["status"] == "valid" else "revoked"
    return {
        "licence_no": data["licence_no"],
        "type": data["type"],
        "holder_name": mask_name(data["holder_name"]),
        "holder_id_number": mask_id_number(data["holder_id_number"]),
        "issuer": data["issuer"],
        "status": label(status),
        "valid": status == "registered" and sealed,
        "signature_valid": sealed,
    }
