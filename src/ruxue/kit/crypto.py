"""SM3 digests, HMAC-SM3 signatures and RFC 8785 canonical JSON (``cryptography``, ``kit.canonical``).

Both are on every department call and every blind index, so what can be made once per process is:
constructing a ``cryptography`` hash or HMAC looks the algorithm up in OpenSSL (~6 µs for SM3,
~25–40 µs for HMAC-SM3, measured here), copying a prepared one costs a fraction of that. The
keyed HMAC is prepared once per key (a handful per process: the exchange's two, the blind index's,
the OIDC subjects'); the copy then only hashes the message.
"""

import functools
import hmac as std_hmac
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac

from ruxue.kit import canonical

_SM3 = hashes.Hash(hashes.SM3())  # never finalised: only copied


def canonical_json(value: Any) -> bytes:
    return canonical.dumps(value)


def sm3(data: bytes) -> bytes:
    digest = _SM3.copy()
    digest.update(data)
    return digest.finalize()


def sm3_hex(data: bytes) -> str:
    return sm3(data).hex()


@functools.lru_cache(maxsize=32)
def _keyed(key: bytes) -> crypto_hmac.HMAC:
    return crypto_hmac.HMAC(key, hashes.SM3())  # never finalised: only copied


def hmac_sm3_hex(key: bytes, data: bytes) -> str:
    mac = _keyed(key).copy()
    mac.update(data)
    return mac.finalize().hex()


def hmac_sm3_verify(key: bytes, data: bytes, signature_hex: str) -> bool:
    return std_hmac.compare_digest(hmac_sm3_hex(key, data), signature_hex)
