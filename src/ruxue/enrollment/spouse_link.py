"""Step 3 by link, the guardian's side: the link goes only to the child's other parent (police
record or birth certificate), at the phone the identity platform verified for them (a number
that is not theirs is refused, the platform's number shown masked), not too often for one case,
one person or one phone; the spouse's own consent (``identity.spouse``) then lets step 3 continue
(``service.attach_spouse``). The link goes by the durable SMS queue, in the invitation's
transaction: a gateway that is down delays it, never loses it."""

import datetime as dt

from ruxue.enrollment.gather import StepError, apply_birth, birth_ask
from ruxue.enrollment.service import asks_a_parent, load_draft
from ruxue.exchange.client import ExchangeClient
from ruxue.identity import spouse as spouse_invites
from ruxue.identity.service import Guardian, check_person_phone
from ruxue.kit import pii
from ruxue.kit.clock import utcnow
from ruxue.kit.db import Database
from ruxue.kit.errors import RuxueError
from ruxue.kit.ratelimit import Limit, take
from ruxue.notify.service import queue_text
from ruxue.person.rules import parse_id_number
from ruxue.policy.rules import acts_for_parents
from ruxue.settings import Settings

DAY = dt.timedelta(days=1)
LIMITS = (
    ("case", Limit("spouse-link-case", 5, DAY)),
    ("person", Limit("spouse-link-person", 5, DAY)),
    ("phone", Limit("spouse-link-phone", 5, DAY)),
)
NOT_REGISTERED = (
    "配偶尚未在省统一身份认证平台实名注册，无法核对其手机号码，授权链接未发送。"
    "请配偶先完成实名注册，或到学校现场办理。"
)
NOT_THEIR_PHONE = (
    "该手机号码不是配偶在省统一身份认证平台实名登记的号码（登记号码：{masked}），"
    "授权链接未发送。请核对后重新输入。"
)
NOT_OTHER_PARENT = (
    "该身份证号码不是学生的父亲或母亲（依据户籍和出生医学证明），请核对配偶的身份证号码。"
)


async def invite_spouse(
    db: Database,
    client: ExchangeClient,
    settings: Settings,
    guardian: Guardian,
    case_no: str,
    spouse_id: str,
    phone: str,
) -> None:
    """Record an invitation and queue the link's SMS with it (sent by the notify job after the
    commit)."""
    spouse = parse_id_number(spouse_id).value
    phone = spouse_invites.check_phone(phone)
    async with db.read_session() as session:
        draft = await load_draft(session, guardian, case_no)
    case, facts, ctx = draft.case, draft.facts, draft.context(guardian.id_number)
    asks_a_parent(facts)
    if spouse in (guardian.id_number, facts.child.id_number):
        raise RuxueError("配偶身份证号码不能与监护人或学生相同。")
    parents = {facts.child.father_id_number, facts.child.mother_id_number}
    if spouse not in parents and facts.birth_certificate is None:
        apply_birth(facts, await client.ask(ctx, birth_ask(facts.child.id_number)))
    if (birth := facts.birth_certificate) is not None:
        parents |= {birth.father_id_number, birth.mother_id_number}
    if spouse not in parents:
        raise StepError(NOT_OTHER_PARENT)
    now = utcnow()  # rate windows run on the real clock
    for kind, limit in LIMITS:
        await take(db, limit, {"case": case.case_no, "person": spouse, "phone": phone}[kind], now)
    await confirm_phone(settings, spouse, phone)
    async with db.write_session() as session:
        _, token = await spouse_invites.invite(session, case.case_no, spouse, guardian.name)
        text = link_text(settings, token, acts_for_parents(facts))
        await queue_text(session, case.case_no, pii.encrypt(phone), text)


async def confirm_phone(settings: Settings, spouse: str, phone: str) -> None:
    """The link goes only to the number the identity platform verified for the spouse."""
    if settings.spouse_phone_check != "platform":
        return
    found = await check_person_phone(settings, spouse, phone)
    if found is None:
        raise StepError(NOT_REGISTERED)
    if not found.matches:
        raise StepError(NOT_THEIR_PHONE.format(masked=found.masked))


def link_text(settings: Settings, token: str, entrusted: bool = False) -> str:
    link = f"{settings.public_url.rstrip('/')}/spouse/{token}"
    who = "受您委托的亲属为您的子女" if entrusted else "您的配偶为子女"
    return f"{who}办理入学，需要您本人实名登录授权：{link} 48小时内有效。"
