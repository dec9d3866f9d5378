"""Uploaded files at rest: SM4-GCM under a key named in the header, so keys can rotate."""

from collections.abc import Iterator

import pytest
from cryptography.exceptions import InvalidTag

from ruxue.kit import pii
from ruxue.settings import DEV_FILE_KEY, get_settings
from tests.support.roots import from_environment

SCAN = b"%PDF-1.7 a scanned birth certificate"


@pytest.fixture
def keys(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


def test_a_file_is_encrypted_under_a_named_key_and_read_after_rotation(
    keys: pytest.MonkeyPatch,
) -> None:
    old = pii.encrypt_file(SCAN)
    assert old.startswith(b"ruxue-sm4-gcm:dev-1:") and b"PDF" not in old
    assert pii.encrypt_file(SCAN) != old  # a fresh nonce each time
    assert pii.decrypt_file(old) == SCAN
    keys.setenv("RUXUE_FILE_KEY_ID", "2027-1")
    keys.setenv("RUXUE_FILE_KEY", "00112233445566778899aabbccddeeff")
    keys.setenv("RUXUE_FILE_OLD_KEYS", f'{{"dev-1": "{DEV_FILE_KEY}"}}')
    from_environment()
    new = pii.encrypt_file(SCAN)
    assert new.startswith(b"ruxue-sm4-gcm:2027-1:")
    assert pii.decrypt_file(old) == pii.decrypt_file(new) == SCAN
    keys.delenv("RUXUE_FILE_OLD_KEYS")
    from_environment()
    with pytest.raises(ValueError, match="no key 'dev-1'"):
        pii.decrypt_file(old)


def test_a_changed_header_or_body_is_detected() -> None:
    blob = pii.encrypt_file(SCAN)
    with pytest.raises(InvalidTag):
        pii.decrypt_file(blob[:-20] + bytes([blob[-20] ^ 1]) + blob[-19:])
    renamed = blob.replace(b"dev-1", b"dev-2", 1)
    with pytest.raises(ValueError):
        pii.decrypt_file(renamed)
