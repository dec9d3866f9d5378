"""Missing materials to the end (tell-once). The guardian answers each missing material, by upload
or by bringing the original, in the draft (step 6) or on the status page of a case that needs
materials, until the registration deadline. A material is given when it is uploaded or when staff
have seen the original; a promise to bring it is an answer, not the material. When nothing required
is missing, the case is decided again by the same ``rules.decide``: uploads send it to the district's
review (a person checks them), originals seen at the desk let the rules issue the notice."""

import datetime as dt
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.cases.status import Status
from ruxue.enrollment import repository as repo
from ruxue.enrollment.decision import TraceEvent, record_decision
from ruxue.enrollment.explain import MATERIALS
from ruxue.enrollment.facts import Facts
from ruxue.enrollment.materials import store_upload
from ruxue.enrollment.models import Case
from ruxue.enrollment.policy import load_policy
from ruxue.enrollment.rules import NEEDS_MATERIALS, decide, missing_materials
from ruxue.enrollment.service import StepOrder, actor, check_window
from ruxue.identity.service import Guardian
from ruxue.kit.errors import NotFound, RuxueError
from ruxue.reference.repository import school_refs
from ruxue.settings import Settings

HOW = {"upload": "已上传", "bring": "将携带原件", "provided": "已核验原件"}


class AlreadyHandled(RuxueError):
    """A repeated action (a double click, a second tab): nothing is done twice."""

    status_code = 409
    code = "already_handled"


def deadline(case: Case) -> dt.datetime:
    """The end of the district's registration window: the last moment to answer online."""
    policy = load_policy(case.year, case.district_code or "")
    return policy.windows[case.segment].bounds(case.year)[1]  # type: ignore[index]


def states(case: Case, facts: Facts) -> list[dict[str, Any]]:
    """Every material of the tell-once list with how it stands: provided, upload, bring or None."""
    held = {"provided": facts.provided, "upload": facts.uploaded, "bring": facts.bring}
    rows = []
    answered = facts.provided | facts.uploaded | facts.bring
    for code in sorted(
        (set(case.missing) | set(missing_materials(facts)) | answered) & set(MATERIALS)
    ):
        state = next((name for name, codes in held.items() if code in codes), None)
        text = HOW[state] if state else "待补充"
        rows.append({"code": code, **MATERIALS[code], "state": state, "state_text": text})
    return rows


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
    return case, repo.read_facts(case)


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
        session, settings.upload_dir, settings.upload_max_bytes, case, kind, filename, data
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
    repo.write_facts(case, facts)
    await repo.add_event(
        session, case, actor(guardian), "material", kind=kind, how=how, material_id=material_id
    )
    if case.status == NEEDS_MATERIALS and not missing_materials(facts):
        await redecide(session, now, case, facts)
    return case


async def redecide(session: AsyncSession, now: dt.datetime, case: Case, facts: Facts) -> None:
    """Nothing required is missing any more: the same rules decide the case again."""
    policy = load_policy(case.year, case.district_code or "")
    decision = decide(policy, facts, await school_refs(session))
    await record_decision(session, case, decision, now, TraceEvent("system", "materials_complete"))
