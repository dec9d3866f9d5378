"""The test suite. Tests run in test mode: development keys allowed (production refuses them)."""

import os

os.environ.setdefault("RUXUE_MODE", "test")
