"""Shared test support moved from tests/kit/test_pii_keys.py (imported by other test modules)."""

import pytest

from ruxue.settings import DEV_BLIND_INDEX_KEY, DEV_PII_KEY
from tests.support.roots import from_environment

NEW_PII_KEY = "00112233445566778899aabbccddeeff"
NEW_INDEX_KEY = "6e65772d626c696e642d696e646578"


def change_keys(keys: pytest.MonkeyPatch, *, keep_old: bool) -> None:
    keys.setenv("RUXUE_PII_KEY_ID", "k2")
    keys.setenv("RUXUE_PII_KEY", NEW_PII_KEY)
    keys.setenv("RUXUE_BLIND_INDEX_KEY_ID", "b2")
    keys.setenv("RUXUE_BLIND_INDEX_KEY", NEW_INDEX_KEY)
    if keep_old:
        keys.setenv("RUXUE_PII_OLD_KEYS", f'{{"k1": "{DEV_PII_KEY}"}}')
        keys.setenv("RUXUE_BLIND_INDEX_OLD_KEYS", f'{{"b1": "{DEV_BLIND_INDEX_KEY}"}}')
    else:
        keys.delenv("RUXUE_PII_OLD_KEYS", raising=False)
        keys.delenv("RUXUE_BLIND_INDEX_OLD_KEYS", raising=False)
    from_environment()
