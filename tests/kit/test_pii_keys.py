"""PII keys rotate: every ciphertext names its key, older keys are still read, and a value
written before key ids existed is read under the legacy id."""

from collections.abc import Iterator

import pytest

from ruxue.kit import pii
from ruxue.settings import Settings, get_settings
from tests.support.keys import NEW_PII_KEY, change_keys

ID = "320508198603030110"


@pytest.fixture
def keys(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


def test_a_value_under_the_old_key_reads_after_the_key_changed(keys: pytest.MonkeyPatch) -> None:
    old = pii.encrypt(ID)
    legacy = old.removeprefix("k1:")  # as stored before key ids were written
    assert old.startswith("k1:") and ID not in old
    assert pii.decrypt(legacy) == pii.decrypt(old) == ID
    assert pii.key_id_of(legacy) == "k1"
    change_keys(keys, keep_old=True)
    new = pii.encrypt(ID)
    assert new.startswith("k2:") and pii.key_id_of(new) == "k2"
    assert pii.decrypt(old) == pii.decrypt(legacy) == pii.decrypt(new) == ID
    assert pii.reencrypt(old).startswith("k2:") and pii.reencrypt(new) == new
    change_keys(keys, keep_old=False)
    assert pii.decrypt(new) == ID
    for gone in (old, legacy):
        with pytest.raises(ValueError, match="no PII key 'k1'"):
            pii.decrypt(gone)


def test_lookups_try_the_old_blind_index_key_while_it_is_configured(
    keys: pytest.MonkeyPatch,
) -> None:
    before = pii.blind_index(ID)
    assert pii.blind_indexes(ID) == [before]
    change_keys(keys, keep_old=True)
    current = pii.blind_index(ID)
    assert current != before and pii.blind_indexes(ID) == [current, before]
    change_keys(keys, keep_old=False)
    assert pii.blind_indexes(ID) == [current]


def test_a_key_id_cannot_hold_a_colon(keys: pytest.MonkeyPatch) -> None:
    keys.setenv("RUXUE_PII_KEY_ID", "k:2")
    with pytest.raises(ValueError, match="pii_key_id"):
        get_settings()


def test_the_trace_keeps_the_last_four_characters() -> None:
    assert pii.last_four("P320000999") == "******0999"
    assert pii.last_four("123") == "123"


def test_the_keys_are_the_ones_the_root_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pii, "_settings", [])
    with pytest.raises(RuntimeError, match=r"pii\.configure"):
        pii.encrypt(ID)  # no key from the environment behind the root's back
    pii.configure(Settings(pii_key_id="k9", pii_key=NEW_PII_KEY))
    assert pii.key_id_of(pii.encrypt(ID)) == "k9"
