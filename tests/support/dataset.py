"""Shared test support moved from tests/conftest.py (imported by other test modules)."""

from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[2] / "src" / "ruxue" / "sandbox" / "example-dataset.json"
