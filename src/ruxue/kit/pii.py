"""Personal data at rest: SM4-GCM encryption and an HMAC-SM3 blind index for equality lookups.

An ID number is never stored in clear: the row keeps ``encrypt(id)`` to show it back (masked) and
``blind_index(id)`` to find it. The keys are settings; production keeps them in a KMS or HSM.
"""

import base64
import os

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from ruxue.kit.crypto import hmac_sm3_hex
from ruxue.settings import get_settings

NONCE_BYTES = 12
TAG_BYTES = 16


def _key() -> bytes:
    return bytes.fromhex(get_settings().pii_key)


def blind_index(value: str) -> str:
    return hmac_sm3_hex(bytes.fromhex(get_settings().blind_index_key), value.encode())


def encrypt(value: str) -> str:
    nonce = os.urandom(NONCE_BYTES)
    encryptor = Cipher(algorithms.SM4(_key()), modes.GCM(nonce)).encryptor()
    body = encryptor.update(value.encode()) + encryptor.finalize()
    return base64.b64encode(nonce + body + encryptor.tag).decode()


def decrypt(token: str) -> str:
    raw = base64.b64decode(token)
    nonce, body, tag = raw[:NONCE_BYTES], raw[NONCE_BYTES:-TAG_BYTES], raw[-TAG_BYTES:]
    decryptor = Cipher(algorithms.SM4(_key()), modes.GCM(nonce, tag)).decryptor()
    return (decryptor.update(body) + decryptor.finalize()).decode()
