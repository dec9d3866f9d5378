"""SM2 and SM3 results checked against a second, independent implementation (gmalg, pure Python)."""

from pathlib import Path

import gmalg
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from ruxue.kit.crypto import sm3_hex
from ruxue.kit.sm2 import SealKey, verify

DEFAULT_UID = b"1234567812345678"


def _gmalg(key: SealKey) -> gmalg.SM2:
    pub = key.private_key.public_key().public_numbers()
    d = key.private_key.private_numbers().private_value
    pk = b"\x04" + pub.x.to_bytes(32, "big") + pub.y.to_bytes(32, "big")
    return gmalg.SM2(d.to_bytes(32, "big"), DEFAULT_UID, pk)


def test_seal_key_is_created_once_and_reloaded(tmp_path: Path) -> None:
    path = tmp_path / "seal.pem"
    first = SealKey.load_or_create(path)
    assert path.stat().st_mode & 0o077 == 0
    again = SealKey.load_or_create(path)
    assert again.public_pem() == first.public_pem()


@settings(max_examples=15, deadline=None)
@given(st.binary(max_size=300))
def test_sm2_signatures_cross_check_with_gmalg(message: bytes) -> None:
    key = SealKey.generate()
    other = _gmalg(key)
    r, s = decode_dss_signature(key.sign(message))
    assert other.verify(
        message, r.to_bytes(32, "big"), s.to_bytes(32, "big")
    )  # Z_A, default id, both sides
    theirs_r, theirs_s = other.sign(message)
    assert verify(
        key.public_pem(),
        message,
        encode_dss_signature(int.from_bytes(theirs_r, "big"), int.from_bytes(theirs_s, "big")),
    )
    assert not verify(key.public_pem(), message + b"!", key.sign(message))


@given(st.binary(max_size=500))
def test_sm3_matches_gmalg(data: bytes) -> None:
    digest = gmalg.SM3()
    digest.update(data)
    assert sm3_hex(data) == digest.value().hex()
