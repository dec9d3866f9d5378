"""Hash chains for append-only logs (the call log, the audit log). Pure functions: what an
entry's hash is, and what breaks a chain (an edited, removed or reordered entry, a cut tail)."""

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ruxue.kit.crypto import canonical_json, sm3_hex

GENESIS = "0" * 64


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat(timespec="microseconds")
    return value


def entry_hash(entry: Mapping[str, Any], fields: Sequence[str]) -> str:
    """SM3 over the RFC 8785 canonical form of the entry's hashed fields (``prev_hash`` among
    them, which links it to the entry before)."""
    return sm3_hex(canonical_json({k: _plain(entry[k]) for k in fields}))


def chain_problems(
    entries: Iterable[Mapping[str, Any]],
    head: Mapping[str, Any] | None,
    fields: Sequence[str],
    name: str,
) -> list[str]:
    """Entries of one chain in ``seq`` order, and its head row; every break is named."""
    problems: list[str] = []
    prev, expected_seq = GENESIS, 1
    last: Mapping[str, Any] | None = None
    for e in entries:
        if e["seq"] != expected_seq:
            problems.append(f"{name}: entry {expected_seq} missing before {e['seq']}")
        if e["prev_hash"] != prev:
            problems.append(f"{name} seq {e['seq']}: link to previous entry broken")
        if entry_hash(e, fields) != e["entry_hash"]:
            problems.append(f"{name} seq {e['seq']}: entry content altered")
        prev, expected_seq, last = e["entry_hash"], e["seq"] + 1, e
    tail = (last["seq"], last["entry_hash"]) if last else (0, GENESIS)
    if head is not None and tail != (head["seq"], head["entry_hash"]):
        problems.append(f"{name}: head says seq {head['seq']}, log ends at {tail[0]}")
    return problems
