"""SM3 digests, HMAC-SM3 signatures and RFC 8785 canonical JSON (``cryptography``, ``rfc8785``)."""

import hmac as std_hmac
from typing import Any

import rfc8785
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac


def canonical_json(value: Any) -> bytes:
    return rfc8785.dumps(value)


def sm3(data: bytes) -> bytes:
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize()


def sm3_hex(data: bytes) -> str:
    return sm3(data).hex()


def hmac_sm3_hex(key: bytes, data: bytes) -> str:
    mac = crypto_hmac.HMAC(key, hashes.SM3())
    mac.update(data)
    return mac.finalize().hex()


def hmac_sm3_verify(key: bytes, data: bytes, signature_hex: str) -> bool:
    return std_hmac.compare_digest(hmac_sm3_hex(key, data), signature_hex)
