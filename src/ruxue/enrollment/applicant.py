"""Who may act for a child, settled before a case exists, before any of the child's data is shown
and before anyone is sent an SMS: a parent per the police record or the birth certificate, or a
person whose guardianship request a district reviewer approved."""

from ruxue.enrollment.gather import fetch_birth
from ruxue.exchange.client import CallContext, ExchangeClient
from ruxue.exchange.records import BirthCertificate, Person
from ruxue.kit.errors import Forbidden
from ruxue.policy.rules import may_apply

ONLINE = (
    "户籍信息和出生医学证明均未登记您是该学生的父亲或母亲，不能为其报名。"
    "祖父母、法院指定的监护人等请先提交“监护关系核验申请”，经区教育局审核通过后再报名。"
)
DESK = (
    "户籍信息和出生医学证明均未登记申请人是该学生的父亲或母亲，不能现场报名。"
    "祖父母、法院指定的监护人等请先在网上提交“监护关系核验申请”，经区教育局审核通过后再办理。"
)


class NotParent(Forbidden):
    code = "not_parent"


async def check_applicant(
    client: ExchangeClient,
    ctx: CallContext,
    applicant_id: str,
    child: Person,
    approved: str | None,
    message: str = ONLINE,
) -> BirthCertificate | None:
    """The birth certificate when it was needed for the answer; raises ``NotParent`` (with no data
    of the child) for anyone else."""
    if may_apply(applicant_id, child, None, approved is not None):
        return None
    birth = await fetch_birth(client, ctx, child.id_number)
    if may_apply(applicant_id, child, birth, False):
        return birth
    raise NotParent(message, guardianship_url="/guardianship")
