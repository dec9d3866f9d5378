"""SM3 and HMAC-SM3 from prepared objects copied per call: the same digests as fresh ones."""

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from hypothesis import given
from hypothesis import strategies as st

from ruxue.kit.crypto import hmac_sm3_hex, hmac_sm3_verify, sm3_hex


def test_sm3_vector() -> None:
    # GB/T 32905-2016, appendix A.1
    assert sm3_hex(b"abc") == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    assert sm3_hex(b"abc") == sm3_hex(b"abc")  # the prepared digest is never consumed


@given(st.binary(max_size=300))
def test_sm3_as_fresh(data: bytes) -> None:
    fresh = hashes.Hash(hashes.SM3())
    fresh.update(data)
    assert sm3_hex(data) == fresh.finalize().hex()


@given(st.binary(min_size=1, max_size=80), st.binary(max_size=300), st.binary(max_size=300))
def test_hmac_as_fresh(key: bytes, first: bytes, second: bytes) -> None:
    def fresh(data: bytes) -> str:
        mac = crypto_hmac.HMAC(key, hashes.SM3())
        mac.update(data)
        return mac.finalize().hex()

    # the same key twice in a row: each call starts from the keyed state, not the last message
    assert hmac_sm3_hex(key, first) == fresh(first)
    assert hmac_sm3_hex(key, second) == fresh(second)
    assert hmac_sm3_verify(key, second, fresh(second))
    assert not hmac_sm3_verify(key + b"x", second, fresh(second))
