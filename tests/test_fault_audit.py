"""The fault run's audit (scripts/fault_audit.py, pure): the SMS gateway's deliveries joined to
the outbox by idempotency key, and the figures that fail the run."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
from fault_audit import Delivery, p99_by_fault, sms_figures, violations

OUTBOX = {"ruxue-sms-1-a": "sent", "ruxue-sms-2-b": "sent", "ruxue-sms-3-c": "no_phone"}


def delivered(*keys: str | None) -> list[Delivery]:
    return [Delivery(key, "13800000000", "您的申请已受理") for key in keys]


def test_each_row_received_once_passes() -> None:
    figures = sms_figures(delivered("ruxue-sms-1-a", "ruxue-sms-2-b"), OUTBOX)
    assert figures["sms_received"] == figures["sms_to_send"] == 2
    assert figures["sms_queued"] == 3  # the row without a phone is queued, not sent
    assert violations(figures) == []


def test_a_text_sent_twice_fails_the_run() -> None:
    figures = sms_figures(delivered("ruxue-sms-1-a", "ruxue-sms-1-a", "ruxue-sms-2-b"), OUTBOX)
    assert figures["sms_received_twice"] == 1
    assert violations(figures) == [
        "sms_received_twice = 1, must be 0",
        "sms_received = 3 but sms_to_send = 2, must be equal",
    ]


def test_a_text_under_a_second_key_or_none_fails_the_run() -> None:
    figures = sms_figures(
        delivered("ruxue-sms-1-a", "ruxue-sms-2-b", "ruxue-sms-9-z", None), OUTBOX
    )
    assert figures["sms_unknown_key"] == 1 and figures["sms_without_key"] == 1
    assert "sms_unknown_key = 1, must be 0" in violations(figures)
    assert "sms_without_key = 1, must be 0" in violations(figures)


def test_a_row_the_gateway_never_got_fails_the_run() -> None:
    figures = sms_figures(delivered("ruxue-sms-1-a"), {**OUTBOX, "ruxue-sms-2-b": "pending"})
    assert figures["sms_not_received"] == figures["sms_not_sent"] == 1
    assert len(violations(figures)) == 3


def test_every_promise_is_checked_and_absent_figures_are_not() -> None:
    figures = {
        "lost": 1,
        "duplicate_packages": 0,
        "library_dirs": 4,
        "packages": 5,
        "faults_not_landed": ["app kill 2"],
    }
    assert violations(figures) == [
        "lost = 1, must be 0",
        "library_dirs = 4 but packages = 5, must be equal",
        "faults scheduled that did not land: app kill 2",
    ]


def test_p99_during_and_after_each_fault() -> None:
    samples = [(float(t), "3-checks", 100.0 + t) for t in range(100)]
    samples.append((15.0, "6-submit", 9000.0))
    report = p99_by_fault(samples, [("police off", 10.0, 20.0)], after_s=30)
    during, after = report["police off"]["during"], report["police off"]["after"]
    assert during["3-checks"] == {"n": 10, "p99_ms": 119.0}
    assert during["6-submit"] == {"n": 1, "p99_ms": 9000.0}
    assert after == {"3-checks": {"n": 30, "p99_ms": 149.0}}
