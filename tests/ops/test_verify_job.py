"""The chain verification the worker runs every six hours: its result is a gauge the alert reads."""

from prometheus_client import REGISTRY

from ruxue.kit.db import Database
from ruxue.ops.tasks import record, verify


def gauge(name: str) -> float | None:
    return REGISTRY.get_sample_value(name)


async def test_an_intact_database_has_no_problems_and_is_recorded(db: Database) -> None:
    problems = await verify(db)
    assert problems == []
    record(problems)
    assert gauge("ruxue_audit_verify_problems") == 0
    assert (gauge("ruxue_audit_verify_last_run_timestamp_seconds") or 0) > 0


def test_problems_raise_the_gauge() -> None:
    record(["audit log: entry 7 does not follow entry 6"])
    assert gauge("ruxue_audit_verify_problems") == 1
    record([])
    assert gauge("ruxue_audit_verify_problems") == 0
