"""SM2 and SM3 results checked against a second, independent implementation (gmssl, pure Python)."""

import secrets
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)
from gmssl import func, sm2, sm3
from hypothesis import given, settings
from hypothesis import strategies as st

from ruxue.kit.crypto import sm3_hex
from ruxue.kit.sm2 import SealKey, verify


def _gmssl(key: SealKey) -> sm2.CryptSM2:
    pub = key.private_key.public_key().public_numbers()
    return sm2.CryptSM2(
        public_key=f"{pub.x:064x}{pub.y:064x}",
        private_key=f"{key.private_key.private_numbers().private_value:064x}",
    )


def test_seal_key_is_created_once_and_reloaded(tmp_path: Path) -> None:
    path = tmp_path / "seal.pem"
    first = SealKey.load_or_create(path)
    assert path.stat().st_mode & 0o077 == 0
    again = SealKey.load_or_create(path)
    assert again.public_pem() == first.public_pem()


@settings(max_examples=20, deadline=None)
@given(st.binary(max_size=300))
def test_sm2_signatures_cross_check_with_gmssl(message: bytes) -> None:
    key = SealKey.generate()
    other = _gmssl(key)
    r, s = decode_dss_signature(key.sign(message))
    assert other.verify_with_sm3(
        f"{r:064x}{s:064x}", message
    )  # Z_A with the default id on both sides
    theirs = other.sign_with_sm3(message, secrets.token_hex(32))
    assert verify(
        key.public_pem(), message, encode_dss_signature(int(theirs[:64], 16), int(theirs[64:], 16))
    )
    assert not verify(key.public_pem(), message + b"!", key.sign(message))


@given(st.binary(max_size=500))
def test_sm3_matches_gmssl(data: bytes) -> None:
    assert sm3_hex(data) == sm3.sm3_hash(func.bytes_to_list(data))
