"""The I/O half of the fault run's audit (scripts/fault_run.py): wait for the sweeps, then count
from the database, the library and the SMS sink; the pure half is scripts/fault_audit.py."""

import asyncio
import hashlib
import time
from collections import Counter
from pathlib import Path
from typing import Any

import asyncpg
from fault_audit import sms_figures
from fault_guardians import Log
from fault_injectors import County
from fault_sink import SmsSink

FINAL = ("notice_issued", "rejected")
WAITING = ("needs_materials", "manual_review")  # submitted, a person decides next


async def settle(db_url: str, log: Log, within: float, county: County | None) -> None:
    """Wait for the sweeps: every decided case filed, no SMS pending, the county's outbox sent
    (bounded)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        conn = await asyncpg.connect(db_url)
        try:
            unfiled = await conn.fetchval(
                "select count(*) from enrollment_case c where c.status = any($1::text[]) and not "
                "exists (select 1 from archive_package p where p.case_id = c.id)",
                list(FINAL),
            )
            pending = await conn.fetchval(
                "select count(*) from notification where status = 'pending' and attempts < 10"
            )
        finally:
            await conn.close()
        unsent = await asyncio.to_thread(county.unsent) if county else 0
        if not unfiled and not pending and not unsent:
            log("settled")
            return
        log("waiting for the sweeps", unfiled=unfiled, sms_pending=pending, county_unsent=unsent)
        await asyncio.sleep(15)
    log("did not settle in time")


async def audit(
    db_url: str, var: Path, people: list[Any], told: dict[str, str], sink: SmsSink
) -> dict[str, Any]:
    from ruxue.kit import pii  # the app's keys: the same environment
    from ruxue.notify.tasks import idempotency_key
    from ruxue.settings import get_settings

    get_settings.cache_clear()
    pii.configure(get_settings())

    conn = await asyncpg.connect(db_url)
    try:
        cases = await conn.fetch("select id, case_no, status, child_index from enrollment_case")
        docs = Counter(
            r["case_id"]
            for r in await conn.fetch(
                "select case_id from case_event where action in ('notice_issued', 'rejection_issued')"
            )
        )
        decides = Counter(
            r["case_id"]
            for r in await conn.fetch("select case_id from case_event where action = 'decide'")
        )
        packages = await conn.fetch(
            "select case_id, archive_no, location, digest from archive_package"
        )
        notes = await conn.fetch("select id, created_at, case_no, text, status from notification")
    finally:
        await conn.close()
    by_child = {r["child_index"]: r for r in cases}
    final_ids = {r["id"] for r in cases if r["status"] in FINAL}
    status = Counter(r["status"] for r in cases)
    lost, unresolved = [], []
    for _, child, _ in people:
        case = by_child.get(pii.blind_index(child))
        if child in told and (case is None or case["status"] in ("draft", "withdrawn")):
            lost.append(child[:6])  # told "submitted", yet nothing decided
        elif case is None:
            unresolved.append(child[:6])  # never got a case: may start again (resumable)
    per_case_pkg = Counter(p["case_id"] for p in packages)
    bad_digest = [p["archive_no"] for p in packages if not _digest_matches(p)]
    queued = Counter((n["case_no"], n["text"]) for n in notes)
    outbox = {idempotency_key(n["id"], n["created_at"]): n["status"] for n in notes}
    return {
        "guardians": len(people),
        "cases": len(cases),
        "status": dict(status),
        "decided": len(final_ids),
        "resumable_drafts": status["draft"],
        "waiting_for_staff": sum(status[s] for s in WAITING),
        "no_case_yet": len(unresolved),
        "lost": len(lost),
        "decided_without_document": sum(1 for i in final_ids if docs[i] == 0),
        "duplicate_documents": sum(1 for i in final_ids if docs[i] > 1),
        "duplicate_decide_events": sum(1 for n in decides.values() if n > 1),
        "decided_without_package": sum(1 for i in final_ids if per_case_pkg[i] == 0),
        "duplicate_packages": sum(1 for n in per_case_pkg.values() if n > 1),
        "library_dirs": _library_count(var),
        "packages": len(packages),
        "package_digest_mismatch": len(bad_digest),
        "leftover_scratch_dirs": len(list((var / "archive-build").glob(".tmp-*"))),
        **sms_figures(sink.delivered, outbox),
        "sms_queued_twice": sum(1 for n in queued.values() if n > 1),
        "sms_repeated_calls_answered_once": sink.repeated_keys,
    }


def _digest_matches(package: Any) -> bool:
    manifest = Path(package["location"]) / "tagmanifest-sha256.txt"
    return (
        manifest.is_file()
        and hashlib.sha256(manifest.read_bytes()).hexdigest() == package["digest"]
    )


def _library_count(var: Path) -> int:
    library = var / "archive"
    return (
        sum(1 for p in library.iterdir() if p.is_dir() and not p.name.startswith("."))
        if library.is_dir()
        else 0
    )
