"""The call log's hash chain. Pure functions: what an entry's hash is, and what a chain breaks."""

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from ruxue.kit.crypto import canonical_json, sm3_hex

GENESIS = "0" * 64
HASHED_FIELDS = (
    "chain",
    "seq",
    "at",
    "client_id",
    "request_id",
    "case_no",
    "operator",
    "consent_ids",
    "purpose",
    "service",
    "version",
    "department",
    "subjects",
    "fields",
    "request_hash",
    "response_hash",
    "outcome",
    "status",
    "attempts",
    "latency_ms",
    "prev_hash",
)


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat(timespec="microseconds")
    return value


def entry_hash(entry: Mapping[str, Any]) -> str:
    return sm3_hex(canonical_json({k: _plain(entry[k]) for k in HASHED_FIELDS}))


def chain_problems(
    entries: Iterable[Mapping[str, Any]],
    head: Mapping[str, Any] | None,
) -> list[str]:
    """Entries of one chain in ``seq`` order; every break is named (edited, removed, reordered)."""
    problems: list[str] = []
    prev, expected_seq = GENESIS, 1
    last: Mapping[str, Any] | None = None
    for e in entries:
        if e["seq"] != expected_seq:
            problems.append(f"chain {e['chain']}: entry {expected_seq} missing before {e['seq']}")
        if e["prev_hash"] != prev:
            problems.append(f"chain {e['chain']} seq {e['seq']}: link to previous entry broken")
        if entry_hash(e) != e["entry_hash"]:
            problems.append(f"chain {e['chain']} seq {e['seq']}: entry content altered")
        prev, expected_seq, last = e["entry_hash"], e["seq"] + 1, e
    tail = (last["seq"], last["entry_hash"]) if last else (0, GENESIS)
    if head is not None and tail != (head["seq"], head["entry_hash"]):
        problems.append(
            f"chain {head['chain']}: head says seq {head['seq']}, log ends at {tail[0]}"
        )
    return problems
