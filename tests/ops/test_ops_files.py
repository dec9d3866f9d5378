"""The alert rules and the dashboard shipped in ops/: valid (promtool when installed, else parsed),
and naming only metrics the code exposes."""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from prometheus_client import REGISTRY

from ruxue.ops import metrics  # noqa: F401  (registers the process metrics)
from ruxue.ops.collector import Gauges, Snapshot
from ruxue.ops.jobs import QueueState
from ruxue.ops.repository import Counts

OPS = Path(__file__).resolve().parents[2] / "ops"
RULES, DASHBOARD = OPS / "prometheus" / "rules.yml", OPS / "grafana" / "ruxue.json"


def exposed() -> set[str]:
    series = {"counter": ("_total",), "histogram": ("_bucket", "_count", "_sum"), "gauge": ("",)}
    names = {f.name + end for f in REGISTRY.collect() for end in series.get(f.type, ("",))}
    gauges = Gauges(None, lambda: None, None)  # type: ignore[arg-type]
    gauges.snapshot = Snapshot(0.0, Counts(), QueueState())
    return names | {family.name for family in gauges.collect()}


def referenced(text: str) -> set[str]:
    return {n for n in re.findall(r"\b(ruxue_[a-z0-9_]+)", text)}


def test_the_rules_are_valid() -> None:
    if shutil.which("promtool"):
        done = subprocess.run(
            ["promtool", "check", "rules", str(RULES)], capture_output=True, text=True
        )
        assert done.returncode == 0, done.stdout + done.stderr
    rules = yaml.safe_load(RULES.read_text())
    alerts = [r for g in rules["groups"] for r in g["rules"] if "alert" in r]
    assert {a["alert"] for a in alerts} >= {
        "RuxueDepartmentErrors",
        "RuxueLatencyOverTarget",
        "RuxueQueueBehind",
        "RuxueArchiveBacklog",
        "RuxueCountyDeadLetters",
        "RuxueAuditChainBroken",
    }
    assert all(a["annotations"]["summary"] and a["labels"]["severity"] for a in alerts)


@pytest.mark.parametrize("path", [RULES, DASHBOARD], ids=["rules", "dashboard"])
def test_every_metric_named_is_exposed(path: Path) -> None:
    text = path.read_text()
    if path.suffix == ".json":
        text = " ".join(t["expr"] for p in json.loads(text)["panels"] for t in p["targets"])
    known = exposed()
    unknown = {n for n in referenced(text) if n not in known and not n.endswith(":")}
    assert unknown == set()


def test_every_alert_is_explained_in_the_operations_guide() -> None:
    guide = (OPS.parent / "docs" / "operations.md").read_text()
    rules = yaml.safe_load(RULES.read_text())
    alerts = {r["alert"] for g in rules["groups"] for r in g["rules"] if "alert" in r}
    assert {a for a in alerts if f"`{a}`" not in guide} == set()
