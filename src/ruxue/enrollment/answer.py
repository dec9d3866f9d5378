"""The guardian's answers to missing materials (tell-once), by upload or by bringing the
original, in the draft (step 6) or on the status page of a case that needs materials, until the
registration deadline. When nothing required is missing, the case is decided again
(``materials.supplement.redecide``)."""

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.cases.models import Case
from ruxue.cases.repository import add_event
from ruxue.cases.status import Status
from ruxue.enrollment import repository as repo
from ruxue.enrollment.service import StepOrder, actor, check_window
from ruxue.identity.service import Guardian
from ruxue.kit.errors import NotFound, RuxueError
from ruxue.materials.rules import UploadLimits
from ruxue.materials.service import store_upload
from ruxue.materials.supplement import AlreadyHandled, redecide
from ruxue.policy.explain import MATERIALS
from ruxue.policy.facts import Facts, read_facts, write_facts
from ruxue.policy.loader import load_policy
from ruxue.policy.rules import NEEDS_MATERIALS, missing_materials
from ruxue.settings import Settings


def check_answer(case: Case, facts: Facts, kind: str, how: str, now: dt.datetime) -> None:
    if kind not in MATERIALS or how not in ("upload", "bring"):
        raise RuxueError("材料类型不正确。")
    if case.status == Status.DRAFT:
        return
    if case.status == Status.WITHDRAWN:
        raise StepOrder("该办件已撤回。")
    if case.status != NEEDS_MATERIALS:
        raise AlreadyHandled("已处理：材料已补齐，办件已进入下一环节，无需再提交。")
    if kind not in case.missing:
        raise RuxueError("该材料不在需要补充的材料清单中。")
    if kind in facts.provided:
        raise AlreadyHandled("已处理：学校已核验该材料的原件，无需再提供。")
    check_window(load_policy(case.year, case.district_code or ""), case.segment, now)


async def _load(session: AsyncSession, guardian: Guardian, case_no: str) -> tuple[Case, Facts]:
    case = await repo.case_of(session, guardian.id_number, case_no, lock=True)
    if case is None:
        raise NotFound("办件不存在")
    return case, read_facts(case)


async def upload(
    session: AsyncSession,
    settings: Settings,
    now: dt.datetime,
    guardian: Guardian,
    case_no: str,
    kind: str,
    filename: str,
    data: bytes,
) -> Case:
    """An uploaded copy of a missing material; checked before anything is stored."""
    case, facts = await _load(session, guardian, case_no)
    check_answer(case, facts, kind, "upload", now)
    stored = await store_upload(
        session, settings.upload_dir, UploadLimits.of(settings), case, kind, filename, data
    )
    return await _apply(session, now, guardian, case, facts, kind, "upload", stored.id)


async def bring(
    session: AsyncSession, now: dt.datetime, guardian: Guardian, case_no: str, kind: str
) -> Case:
    """The guardian will bring the original to the school (or the district office)."""
    case, facts = await _load(session, guardian, case_no)
    check_answer(case, facts, kind, "bring", now)
    return await _apply(session, now, guardian, case, facts, kind, "bring", None)


async def _apply(
    session: AsyncSession,
    now: dt.datetime,
    guardian: Guardian,
    case: Case,
    facts: Facts,
    kind: str,
    how: str,
    material_id: int | None,
) -> Case:
    (facts.uploaded if how == "upload" else facts.bring).add(kind)
    (facts.bring if how == "upload" else facts.uploaded).discard(kind)
    write_facts(case, facts)
    await add_event(
        session, case, actor(guardian), "material", kind=kind, how=how, material_id=material_id
    )
    if case.status == NEEDS_MATERIALS and not missing_materials(facts):
        await redecide(session, now, case, facts)
    return case
