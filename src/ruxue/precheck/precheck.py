"""The proactive service (plan §二(二)2): assess every child of a cohort before the window opens,
so the bureau can tell families in advance what they will get and what they are missing.

``assess_family`` asks the departments about one child at a time (as ``ruxue assess`` does);
``assess_children`` assesses a chunk of the cohort with batched asks and the same rules, and is
what a run uses (``precheck_run``)."""

from collections.abc import Mapping, Sequence
from typing import Any

from ruxue.county.routing import ServedElsewhere
from ruxue.county.rules import BY_CITY, BY_COUNTY
from ruxue.enrollment.gather import DepartmentDown, StepError
from ruxue.exchange.client import OK, Ask, CallContext, ExchangeClient
from ruxue.kit.db import Database
from ruxue.person.rules import mask_id_number
from ruxue.policy.loader import load_policy
from ruxue.policy.rules import Decision
from ruxue.precheck.assess import SYSTEM, assess, assess_many
from ruxue.precheck.gather_many import Failure, Family

COLUMNS = ["child", "guardian", "decision", "school_code", "category", "reasons", "missing", "note"]
Row = dict[str, str]
NO_PARENTS = "户籍中没有父母信息"


async def cohort(client: ExchangeClient, year: int, segment: str) -> list[dict[str, Any]]:
    ctx = CallContext(
        case_no=f"PRE-{year}-{segment.upper()}",
        operator=SYSTEM,
        consents=(),
        purpose="ENROLLMENT_PRECHECK",
    )
    if segment == "primary":
        window = load_policy(year, "320500").age["primary"]
        ask = Ask("police.cohort", {"born_from": window.born_from.date(year).isoformat(),
                                    "born_to": window.born_to.date(year).isoformat()}, ("id_number", "parents"), 120)  # fmt: skip
    else:
        ask = Ask("xueji.graduates", {"graduation_year": year}, ("id_number", "parents"), 120)
    answer = await client.ask(ctx, ask)
    if answer.outcome != OK:
        raise DepartmentDown("无法获取入学年龄段儿童名单，请稍后重试。")
    return list(answer.data)


def parents_of(child: dict[str, Any]) -> list[str]:
    return [p for p in (child["father_id_number"], child["mother_id_number"]) if p]


def _falls_back(result: Decision | Failure, parents: list[str]) -> bool:
    """A parent the police do not know (recorded on the child but registered elsewhere) cannot
    apply; the other one can, alone."""
    return (
        isinstance(result, StepError)
        and len(parents) > 1
        and ("监护人" in result.message or "配偶" in result.message)
    )


async def assess_family(
    db: Database, client: ExchangeClient, year: int, segment: str, child: str, parents: list[str],
) -> Decision:  # fmt: skip
    """Each parent in turn as the guardian, one child at a time."""
    if not parents:
        raise StepError(NO_PARENTS)
    try:
        spouse = parents[1] if len(parents) > 1 else None
        return await assess(
            db, client, year=year, segment=segment, guardian=parents[0], child=child, spouse=spouse
        )
    except StepError as exc:
        if not _falls_back(exc, parents):
            raise
    return await assess(db, client, year=year, segment=segment, guardian=parents[1], child=child)


async def assess_children(
    db: Database,
    client: ExchangeClient,
    year: int,
    segment: str,
    children: Sequence[dict[str, Any]],
) -> list[Row]:
    """``assess_family`` for a chunk of the cohort at once, with batched department asks."""
    parents = [parents_of(c) for c in children]
    results: list[Decision | Failure] = [StepError(NO_PARENTS) for _ in children]

    async def round_(numbers: list[int], families: list[Family]) -> None:
        decided = await assess_many(db, client, year=year, segment=segment, families=families)
        for n, result in zip(numbers, decided, strict=True):
            results[n] = result

    first = [n for n, p in enumerate(parents) if p]
    await round_(first, [Family(children[n]["id_number"], *parents[n][:2]) for n in first])
    again = [n for n in first if _falls_back(results[n], parents[n])]
    await round_(again, [Family(children[n]["id_number"], parents[n][1]) for n in again])
    return [row(c, p, r) for c, p, r in zip(children, parents, results, strict=True)]


def row(child: dict[str, Any], parents: list[str], result: Decision | Failure) -> Row:
    line = dict.fromkeys(COLUMNS, "")
    line["child"] = mask_id_number(child["id_number"])
    line["guardian"] = mask_id_number(parents[0]) if parents else ""
    if isinstance(result, Decision):
        line["decision"], line["school_code"] = result.outcome, result.school_code or ""
        line["category"], line["reasons"] = result.category or "", " ".join(result.reasons)
        line["missing"] = " ".join(result.missing)
    elif isinstance(result, ServedElsewhere):  # e.g. district_served_by_county: not ours to decide
        line["decision"], line["note"] = result.code, result.message
    else:
        line["decision"], line["note"] = "not_assessed", result.message
    return line


def served_elsewhere(counts: Mapping[str, int]) -> str:
    """The summary's sentence on the children left to another system ("" when none)."""
    left = counts.get(BY_COUNTY, 0) + counts.get(BY_CITY, 0)
    if not left:
        return ""
    return f"{left} 名学生户籍所在区不由本系统受理（县区自建报名系统或市级系统办理），未预审，详见 note 列。"
