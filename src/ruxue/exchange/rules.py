"""The call log's hash chain: its hashed fields over the shared chain functions (``kit/chain``)."""

from collections.abc import Mapping, Sequence
from typing import Any

from ruxue.kit import chain
from ruxue.kit.chain import GENESIS

__all__ = ["GENESIS", "HASHED_FIELDS", "chain_problems", "entry_hash"]
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


def entry_hash(entry: Mapping[str, Any]) -> str:
    return chain.entry_hash(entry, HASHED_FIELDS)


def chain_problems(
    entries: Sequence[Mapping[str, Any]], head: Mapping[str, Any] | None
) -> list[str]:
    """Entries of one chain in ``seq`` order; every break is named (edited, removed, reordered)."""
    number = head["chain"] if head else entries[0]["chain"] if entries else "?"
    return chain.chain_problems(entries, head, HASHED_FIELDS, f"chain {number}")
