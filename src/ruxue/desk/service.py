"""The offline channel at the school desk (plan §三(二)): the same rules, the same notice."""

import datetime as dt

from sqlalchemy.exc import IntegrityError

from ruxue.enrollment import repository as repo
from ruxue.enrollment.gather import gather_facts
from ruxue.enrollment.models import Case
from ruxue.enrollment.policy import load_policy
from ruxue.enrollment.rules import best_residence, decide
from ruxue.enrollment.service import (
    DuplicateCase,
    check_window,
    document_issued,
    duplicate_message,
    new_case_no,
    record_decision,
)
from ruxue.exchange.client import CallContext, ExchangeClient
from ruxue.exchange.envelope import DEPARTMENTS
from ruxue.exchange.service import envelope_consent, grant_consent
from ruxue.kit import pii
from ruxue.kit.db import Database
from ruxue.kit.errors import RuxueError
from ruxue.notify.service import queue_sms
from ruxue.person.rules import mask_name, parse_id_number
from ruxue.schools.repository import school_refs
from ruxue.staff.auth import Staff, require
from ruxue.staff.service import audit

ORIGINALS = {"HUKOU_BOOKLET": "户口簿", "PROPERTY_CERTIFICATE": "房产证", "MARRIAGE_CERTIFICATE": "结婚证",
             "BIRTH_CERTIFICATE": "出生医学证明"}  # fmt: skip


async def find_child(
    db: Database, staff: Staff, year: int, segment: str, child_id: str
) -> dict[str, object] | None:
    """An existing case of any channel; details only when this desk may see it."""
    require(staff, "desk", "admin")
    child = parse_id_number(child_id).value
    async with db.write_session() as session:
        case = await repo.case_for_child(session, year, segment, child)
        await audit(session, staff, "desk_search", target=pii.blind_index(child)[:16])
        if case is None:
            return None
        visible = await repo.staff_case(session, staff, case.case_no) is not None
    return {"case_no": case.case_no, "status": case.status, "channel": case.channel, "visible": visible,
            "message": duplicate_message(case)}  # fmt: skip


async def register_offline(
    db: Database, client: ExchangeClient, now: dt.datetime, staff: Staff, *, year: int, segment: str,
    guardian_id: str, child_id: str, spouse_id: str | None, consent_signed: bool, originals_seen: list[str],
    property_cert: str | None = None, phone: str = "", keyed_in: dict[str, str] | None = None,
) -> Case:  # fmt: skip
    """Department data pre-filled with the guardian's signed consent, originals ticked as seen,
    decided by the same rules. The staff member is in the trace."""
    require(staff, "desk")
    if not consent_signed:
        raise RuxueError("请先由监护人（及配偶）签署书面授权书。")
    unknown = set(originals_seen) - set(ORIGINALS)
    if unknown:
        raise RuxueError(f"未知的原件类型：{', '.join(sorted(unknown))}")
    ids = [
        parse_id_number(i).value
        for i in (guardian_id, child_id, *([spouse_id] if spouse_id else []))
    ]
    existing = await find_child(db, staff, year, segment, ids[1])
    if existing is not None:  # it already carries the message and the case number: no second lookup
        raise DuplicateCase(str(existing["message"]), str(existing["case_no"]))
    case_no = new_case_no(year, segment)
    # the paper consent: the guardian for themselves and the child, the spouse for themselves
    grants = [(ids[0], ids[:2])] + ([(ids[2], [ids[2]])] if spouse_id else [])
    async with db.write_session() as session:
        consents = [
            await grant_consent(session, grantor=grantor, subjects=subjects, departments=list(DEPARTMENTS),
                                fields=["all"], purpose="ENROLLMENT", case_no=case_no, channel="offline")
            for grantor, subjects in grants
        ]  # fmt: skip
    ctx = CallContext(
        case_no=case_no, operator=staff.actor, consents=tuple(envelope_consent(c) for c in consents)
    )
    facts = await gather_facts(client, ctx, year=year, segment=segment, guardian_id=ids[0], child_id=ids[1],
                               spouse_id=ids[2] if spouse_id else None, chosen_cert=property_cert)  # fmt: skip
    facts.provided = {
        m for m in originals_seen if m in ("BIRTH_CERTIFICATE", "MARRIAGE_CERTIFICATE")
    }
    district = facts.booklets[facts.child.booklet_no].district_code
    policy = load_policy(year, district)
    check_window(policy, segment, now)
    async with db.write_session() as session:
        schools = await school_refs(session)
        if property_cert is None:
            facts.chosen_cert = best_residence(policy, facts, schools)
        decision = decide(policy, facts, schools)
        case = Case(
            case_no=case_no, year=year, segment=segment, channel="offline", desk_school=staff.school_code,
            status="draft", step=7, district_code=district, guardian_index=pii.blind_index(ids[0]),
            guardian_enc=pii.encrypt(ids[0]), child_index=pii.blind_index(ids[1]), child_enc=pii.encrypt(ids[1]),
            child_name_masked=mask_name(facts.child.name), spouse_index=pii.blind_index(ids[2]) if spouse_id else None,
            single_parent=spouse_id is None, chosen_cert=facts.chosen_cert, consent_ids=[c.id for c in consents],
            phone_enc=pii.encrypt(phone),
        )  # fmt: skip
        repo.write_facts(case, facts)
        record_decision(case, decision, now)
        session.add(case)
        try:
            await session.flush()
        except IntegrityError:
            raise DuplicateCase("该学生本年度已有办件，不能重复报名。", "") from None
        await repo.add_event(
            session, case, staff.actor, "desk_consent", consent_ids=case.consent_ids
        )
        keyed = {
            k: v.strip() for k, v in (keyed_in or {}).items() if k in originals_seen and v.strip()
        }
        await repo.add_event(session, case, staff.actor, "originals_seen",
                             originals=[ORIGINALS[o] for o in originals_seen], keyed_in=keyed)  # fmt: skip
        await repo.add_event(session, case, "system", "decide", outcome=decision.outcome, reasons=decision.reasons,
                             missing=decision.missing, school_code=decision.school_code, category=decision.category)  # fmt: skip
        await document_issued(session, case)
        await audit(session, staff, "desk_register", target=case_no)
        if phone:
            await queue_sms(
                session,
                case,
                f"【入学一件事】学生{case.child_name_masked}已在学校现场报名（{case_no}），结果：{decision.explanation[:40]}",
            )
    return case
