"""Issue, revoke and look up licences. Issuing and revoking only write rows and queue jobs; the
library is called by the jobs, after the commit (``tasks.py``)."""

import base64
import datetime as dt
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.elicence import repository as licences
from ruxue.elicence.models import PENDING, REVOKING, Licence
from ruxue.elicence.rules import label
from ruxue.enrollment import repository as repo
from ruxue.enrollment.models import Case
from ruxue.exchange.client import NO_RECORD, OK, Ask, CallContext, ExchangeClient
from ruxue.kit.db import enqueue_after_commit
from ruxue.kit.errors import Conflict, NotFound, RuxueError, Unavailable
from ruxue.kit.sm2 import verify
from ruxue.notice.issuers import issuer_of
from ruxue.notify.service import queue_sms
from ruxue.person.rules import mask_id_number, mask_name
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
    from ruxue.elicence.tasks import revoke

    require(staff, "admin")
    if not reason.strip():
        raise RuxueError("请填写撤销理由", field="reason")
    case = await repo.staff_case(session, staff, case_no, lock=True)
    if case is None:
        raise NotFound("办件不存在")
    if case.outcome != "notice_issued":
        raise Conflict("该办件没有有效的学位告知书，无需撤销")
    licence = await licences.by_case(session, case.id)
    if licence is not None:
        licence.status, licence.revoke_reason, licence.revoked_at = REVOKING, reason.strip(), now
        enqueue_after_commit(session, revoke, licence.id)
    notice_no = case.notice_no
    case.outcome = case.status = "manual_review"
    case.notice_no = case.verify_code = case.notice_issued_at = None
    case.explanation = f"学位告知书已撤销：{reason.strip()}。办件转区教育局重新审核。"
    await repo.add_event(
        session, case, staff.actor, "notice_revoked", notice_no=notice_no, reason=reason.strip()
    )
    await audit(
        session,
        staff,
        "notice_revoked",
        target=case.case_no,
        notice_no=notice_no,
        reason=reason.strip(),
    )
    await queue_sms(session, case, _revoked_sms(case))
    return case


def _revoked_sms(case: Case) -> str:
    return (
        f"您为{case.child_name_masked}办理的报名（{case.case_no}）的学位告知书已撤销，"
        "办件转区教育局重新审核，请登录查看。"
    )


async def lookup(client: ExchangeClient, staff: Staff, licence_no: str) -> dict[str, Any]:
    """A school's desk checks a licence the holder shows it, with the holder's consent (the caller
    records it); nothing here writes."""
    require(staff, "desk", "reviewer", "admin")
    ctx = CallContext(licence_no, f"staff:{staff.id}", (), "LICENCE_CHECK")
    answer = await client.ask(ctx, Ask("elicence.lookup", {"licence_no": licence_no}))
    if answer.outcome == NO_RECORD:
        raise NotFound("电子证照库中没有这个证照编号")
    if answer.outcome != OK:
        raise Unavailable("电子证照库暂时无法查询，请稍后再试")
    return shown(answer.data)


def shown(data: dict[str, Any]) -> dict[str, Any]:
    """What the desk sees: the holder masked, the status, and whether the seal signature holds."""
    pdf = base64.b64decode(data["pdf_base64"])
    sealed = verify(data["public_key_pem"].encode(), pdf, bytes.fromhex(data["signature_hex"]))
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
