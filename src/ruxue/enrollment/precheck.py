"""The proactive service (plan §二(二)2): assess every child of a cohort before the window opens,
so the bureau can tell families in advance what they will get and what they are missing."""

import asyncio
import csv
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ruxue.enrollment.assess import SYSTEM, assess
from ruxue.enrollment.gather import DepartmentDown, StepError
from ruxue.enrollment.policy import load_policy
from ruxue.enrollment.rules import Decision
from ruxue.exchange.client import OK, Ask, CallContext, ExchangeClient
from ruxue.kit.db import Database
from ruxue.person.rules import mask_id_number

COLUMNS = ["child", "guardian", "decision", "school_code", "category", "reasons", "missing", "note"]


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


async def _assess_family(
    db: Database, client: ExchangeClient, year: int, segment: str, child: str, parents: list[str],
) -> Decision:  # fmt: skip
    """Each parent in turn as the guardian: a parent the police do not know (recorded on the child
    but registered elsewhere) cannot apply, the other one can, alone."""
    if not parents:
        raise StepError("户籍中没有父母信息")
    try:
        spouse = parents[1] if len(parents) > 1 else None
        return await assess(
            db, client, year=year, segment=segment, guardian=parents[0], child=child, spouse=spouse
        )
    except StepError as exc:
        if len(parents) < 2 or ("监护人" not in exc.message and "配偶" not in exc.message):
            raise
    return await assess(db, client, year=year, segment=segment, guardian=parents[1], child=child)


async def precheck(
    db: Database, client: ExchangeClient, *, year: int, segment: str, out: Path, concurrency: int = 16,
    progress: Callable[[int, int], None] | None = None, limit: int | None = None,
) -> Counter[str]:  # fmt: skip
    children = (await cohort(client, year, segment))[:limit]
    counts: Counter[str] = Counter()
    rows: list[dict[str, str]] = []
    gate = asyncio.Semaphore(concurrency)

    async def one(child: dict[str, Any]) -> None:
        parents = [p for p in (child["father_id_number"], child["mother_id_number"]) if p]
        row = {
            "child": mask_id_number(child["id_number"]),
            "guardian": mask_id_number(parents[0]) if parents else "",
        }
        async with gate:
            try:
                d = await _assess_family(db, client, year, segment, child["id_number"], parents)
                row.update(decision=d.outcome, school_code=d.school_code or "", category=d.category or "",
                           reasons=" ".join(d.reasons), missing=" ".join(d.missing))  # fmt: skip
            except (StepError, DepartmentDown) as exc:
                row.update(decision="not_assessed", note=exc.message)
        counts[row["decision"]] += 1
        rows.append(row)
        if progress:
            progress(len(rows), len(children))

    await asyncio.gather(*(one(c) for c in children))
    tmp = out.with_suffix(out.suffix + ".tmp")
    with tmp.open(
        "w", newline="", encoding="utf-8-sig"
    ) as f:  # utf-8-sig: Excel opens it as Chinese
        writer = csv.DictWriter(f, COLUMNS)
        writer.writeheader()
        writer.writerows(sorted(rows, key=lambda r: r["child"]))
    tmp.replace(out)
    return counts
