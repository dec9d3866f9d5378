"""The pure half of the fault run's audit (scripts/fault_run.py): what the SMS gateway received,
joined to the outbox by each call's ``Idempotency-Key``; which figures broke a promise; the p99 of
every step during and after each fault. No I/O: tested in tests/test_fault_audit.py."""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

# figures that must be 0 for the run to pass
MUST_BE_ZERO = (
    "lost",
    "decided_without_document",
    "duplicate_documents",
    "duplicate_decide_events",
    "decided_without_package",
    "duplicate_packages",
    "package_digest_mismatch",
    "sms_queued_twice",
    "sms_received_twice",
    "sms_not_received",
    "sms_not_sent",
    "sms_without_key",
    "sms_unknown_key",
    "county_rows_wrong",
    "county_unsent",
)
# pairs of figures that must be equal
MUST_BE_EQUAL = (
    ("sms_received", "sms_to_send"),
    ("library_dirs", "packages"),
)


@dataclass(frozen=True)
class Delivery:
    """One text that reached a phone, as the gateway recorded it (a repeated key is not one)."""

    key: str | None
    phone: str
    text: str


def sms_figures(deliveries: Iterable[Delivery], outbox: dict[str, str]) -> dict[str, int]:
    """``outbox``: each outbox row's idempotency key -> its status. A row is expected at the
    gateway unless it had no phone to send to; each must have reached it exactly once."""
    per_key = Counter(d.key for d in deliveries)
    expected = {key for key, status in outbox.items() if status != "no_phone"}
    return {
        "sms_queued": len(outbox),
        "sms_to_send": len(expected),
        "sms_received": sum(n for key, n in per_key.items() if key in expected),
        "sms_received_twice": sum(1 for key, n in per_key.items() if key and n > 1),
        "sms_not_received": sum(1 for key in expected if per_key[key] == 0),
        "sms_not_sent": sum(1 for key in expected if outbox[key] != "sent"),
        "sms_without_key": per_key[None],
        "sms_unknown_key": sum(n for key, n in per_key.items() if key and key not in outbox),
    }


def violations(figures: dict[str, Any]) -> list[str]:
    """Every promise the figures break, in words; empty when the run passes. A figure absent
    from the run (a fault not run) is not checked."""
    out = [f"{name} = {figures[name]}, must be 0" for name in MUST_BE_ZERO if figures.get(name)]
    for a, b in MUST_BE_EQUAL:
        if a in figures and b in figures and figures[a] != figures[b]:
            out.append(f"{a} = {figures[a]} but {b} = {figures[b]}, must be equal")
    if missed := figures.get("faults_not_landed"):
        out.append(f"faults scheduled that did not land: {', '.join(missed)}")
    return out


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, int(len(ordered) * q + 0.5) - 1))]


def p99_by_fault(
    samples: Iterable[tuple[float, str, float]],
    windows: Iterable[tuple[str, float, float]],
    after_s: float = 30.0,
) -> dict[str, dict[str, dict[str, Any]]]:
    """``samples``: (seconds since the start when the step began, step, ms); ``windows``: (fault,
    from, to). For each fault, per step: the requests that began during it and in the
    ``after_s`` seconds after it, their count and p99 (ms)."""
    samples = list(samples)
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for fault, start, end in windows:
        out[fault] = {
            "during": _per_step(s for s in samples if start <= s[0] < end),
            "after": _per_step(s for s in samples if end <= s[0] < end + after_s),
        }
    return out


def _per_step(samples: Iterable[tuple[float, str, float]]) -> dict[str, Any]:
    by_step: dict[str, list[float]] = {}
    for _, step, ms in samples:
        by_step.setdefault(step, []).append(ms)
    return {
        step: {"n": len(ms), "p99_ms": round(percentile(ms, 0.99), 1)}
        for step, ms in sorted(by_step.items())
    }
