"""Signed log heads and the integrity ledger. Pure functions: the signed document, what an older
head says about the log as it is now (a log may grow; what it held at an exported head must not
change), a record's digest, and what a ledger says about the records as they are now."""

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from typing import Any

from ruxue.kit.crypto import canonical_json, sm3_hex

ENTRY_FIELDS = ("kind", "seq", "record_key", "digest", "prev_hash")


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat(timespec="microseconds")
    if isinstance(value, (dict, list, tuple)):
        return json.loads(json.dumps(value))  # as the JSON column stores it
    return value


def record_digest(values: Mapping[str, Any]) -> str:
    """SM3 over the canonical form of a record's covered fields."""
    return sm3_hex(canonical_json({k: _plain(v) for k, v in values.items()}))


def record_problems(
    kind: str, entries: Sequence[Mapping[str, Any]], current: Mapping[str, str]
) -> list[str]:
    """Records (key → digest now) against the newest ledger entry of each: altered, written
    around the ledger, or removed."""
    latest = {str(e["record_key"]): str(e["digest"]) for e in entries}  # entries in seq order
    problems = []
    for key, digest in current.items():
        if key not in latest:
            problems.append(f"{kind} {key}: not in the ledger (written around it)")
        elif latest[key] != digest:
            problems.append(f"{kind} {key}: altered since it was last written")
    problems += [f"{kind} {k}: removed" for k, d in latest.items() if d and k not in current]
    return problems


def signed_bytes(heads: Mapping[str, Any], at: dt.datetime) -> bytes:
    """The bytes the seal signs: the heads and the time, in RFC 8785 canonical form."""
    return canonical_json({"at": at.astimezone(dt.UTC).isoformat(), "heads": heads})


def chain_problem(name: str, exported: Mapping[str, Any], hash_at_seq: str | None) -> str | None:
    """A chain exported at (seq, hash): the entry at that seq must still carry that hash."""
    if exported["seq"] == 0:
        return None
    if hash_at_seq is None:
        return f"{name}: entry {exported['seq']} of an exported head is gone"
    if hash_at_seq != exported["entry_hash"]:
        return f"{name}: entry {exported['seq']} differs from the exported head (rewritten)"
    return None


def merkle_problem(exported: Mapping[str, Any], root_at_size: str | None) -> str | None:
    """The archive's Merkle log exported at (size, root): its first ``size`` leaves must still
    give that root."""
    if exported["size"] == 0:
        return None
    if root_at_size is None:
        return f"archive log: leaves of the exported size {exported['size']} are gone"
    if root_at_size != exported["root"]:
        return f"archive log: the first {exported['size']} leaves no longer give the exported root"
    return None
