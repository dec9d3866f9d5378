"""What staff see of a case on its page: the fetched facts masked, the reasons in Chinese, the
materials and the history. The internal note is shown here, to staff, and nowhere else."""

from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.cases.models import Case, CaseEvent
from ruxue.cases.repository import events_of
from ruxue.desk.service import SCANS
from ruxue.enrollment.views import CIVIL, HEALTH, PROPERTY, XUEJI, fetched
from ruxue.materials import supplement
from ruxue.materials.models import Material
from ruxue.materials.repository import materials_of
from ruxue.policy.explain import EVENTS, MATERIALS, actor_label, reason_text
from ruxue.policy.facts import (
    BIRTH,
    HOUSING_PROOF,
    MARRIAGE,
    RESIDENCES,
    STUDENT_STATUS,
    read_facts,
)
from ruxue.policy.loader import load_policy
from ruxue.policy.rules import missing_materials, place
from ruxue.reference.repository import school_refs
from ruxue.review.service import still_missing
from ruxue.staff.service import names_of

SOURCES = {"upload": "监护人上传", "desk": "窗口扫描"}
KINDS = {**SCANS, **{code: m["name"] for code, m in MATERIALS.items()}}


def history_row(
    event: CaseEvent, channel: str = "", staff: Mapping[str, tuple[str, str]] | None = None
) -> dict[str, Any]:
    detail = event.detail or {}
    notes = []
    if detail.get("message"):
        notes.append(("告知监护人", str(detail["message"])))
    if detail.get("internal_note"):
        notes.append(("内部意见", str(detail["internal_note"])))
    if detail.get("originals"):
        notes.append(("原件", "、".join(map(str, detail["originals"]))))  # type: ignore[call-overload]
    if detail.get("kind") in KINDS:
        how = {"upload": "上传", "bring": "将携带原件"}.get(str(detail.get("how")), "")
        notes.append(("材料", f"{KINDS[str(detail['kind'])]} {how}".strip()))
    label = EVENTS.get(event.action, event.action)
    who = actor_label(event.actor, channel, staff)  # never the guardian's code
    return {"at": event.at, "label": label, "who": who, "notes": notes}


UNANSWERED = {
    STUDENT_STATUS: XUEJI,
    RESIDENCES: PROPERTY,
    HOUSING_PROOF: PROPERTY,
    BIRTH: HEALTH,
    MARRIAGE: CIVIL,
}


def unanswered(names: set[str]) -> list[str]:
    """The departments that did not answer (after retries), in the order of the case page."""
    return list(dict.fromkeys(UNANSWERED[n] for n in UNANSWERED if n in names))


def file_row(material: Material) -> dict[str, Any]:
    source = SOURCES.get(material.source, material.source)
    return {"m": material, "kind": KINDS.get(material.kind, material.kind), "source": source}


async def case_context(session: AsyncSession, case: Case) -> dict[str, Any]:
    facts = read_facts(case)
    policy = load_policy(case.year, case.district_code or "")
    placement = place(policy, facts, await school_refs(session))
    files = await materials_of(session, case)
    events = await events_of(session, case)
    staff = await names_of(session, (e.actor for e in events))
    return {
        "fetched": fetched(facts),
        "unanswered": unanswered(facts.unavailable),
        "reasons": [reason_text(code, policy) for code in case.reasons],
        "materials": supplement.states(case, facts),
        "files": [file_row(f) for f in files],
        "history": [history_row(e, case.channel, staff) for e in events],
        "still_missing": still_missing(case),
        "needed": missing_materials(facts),
        "suggested": {
            "school_code": placement.school.code if placement.school else "",
            "category": placement.category or "",
        },
    }
