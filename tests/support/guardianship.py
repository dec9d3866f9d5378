"""Shared test support moved from tests/guardianship/test_requests.py (imported by other test modules)."""

from tests.support.personas import LI_CHILD

FILE = {"child_id_number": LI_CHILD, "relationship": "grandparent", "note": "孩子由我抚养"}
