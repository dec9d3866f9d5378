"""Signed log heads. Pure functions: the signed document, and what an older head says about the
log as it is now (a log may grow; what it held at an exported head must not change)."""

import datetime as dt
from collections.abc import Mapping
from typing import Any

from ruxue.kit.crypto import canonical_json


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
