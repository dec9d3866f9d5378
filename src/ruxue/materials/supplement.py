"""Missing materials to the end (tell-once): how each material of the list stands, the last moment
to answer, and the decision again once nothing required is missing. A material is given when it is
uploaded or when staff have seen the original; a promise to bring it is an answer, not the
material. The guardian's answers are ``enrollment.answer``'s; the case is decided again by the same
``rules.decide``: uploads send it to the district's review (a person checks them), originals seen
at the desk let the rules issue the notice."""

import datetime as dt
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.cases.lifecycle import TraceEvent
from ruxue.cases.models import Case
from ruxue.cohort import service as cohort
from ruxue.kit.errors import RuxueError
from ruxue.policy.explain import MATERIALS
from ruxue.policy.facts import Facts
from ruxue.policy.loader import load_policy
from ruxue.policy.rules import decide, missing_materials
from ruxue.reference.repository import school_refs

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


async def redecide(session: AsyncSession, now: dt.datetime, case: Case, facts: Facts) -> None:
    """Nothing required is missing any more: the same rules decide the case again."""
    policy = load_policy(case.year, case.district_code or "")
    decision = decide(policy, facts, await school_refs(session))
    complete = TraceEvent("system", "materials_complete")
    await cohort.record(session, case, facts, decision, now, complete)
