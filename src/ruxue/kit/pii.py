"""Personal data at rest: SM4-GCM encryption and an HMAC-SM3 blind index for equality lookups;
uploaded files SM4-GCM encrypted under a key named in their header.

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


FILE_MAGIC = b"ruxue-sm4-gcm:"


def _file_key(key_id: str) -> bytes:
    settings = get_settings()
    keys = {**settings.file_old_keys, settings.file_key_id: settings.file_key}
    if key_id not in keys:
        raise ValueError(f"no key {key_id!r} for this file")
    return bytes.fromhex(keys[key_id])


def encrypt_file(data: bytes) -> bytes:
    """``ruxue-sm4-gcm:{key id}:`` then nonce, ciphertext and tag; the header is authenticated."""
    key_id = get_settings().file_key_id
    header = FILE_MAGIC + key_id.encode() + b":"
    nonce = os.urandom(NONCE_BYTES)
    encryptor = Cipher(algorithms.SM4(_file_key(key_id)), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(header)
    body = encryptor.update(data) + encryptor.finalize()
    return header + nonce + body + encryptor.tag


def decrypt_file(blob: bytes) -> bytes:
    if not blob.startswith(FILE_MAGIC):
        raise ValueError("not an encrypted file")
    key_id, rest = blob[len(FILE_MAGIC) :].split(b":", 1)
    header = blob[: len(FILE_MAGIC) + len(key_id) + 1]
    nonce, body, tag = rest[:NONCE_BYTES], rest[NONCE_BYTES:-TAG_BYTES], rest[-TAG_BYTES:]
    decryptor = Cipher(
        algorithms.SM4(_file_key(key_id.decode())), modes.GCM(nonce, tag)
    ).decryptor()
    decryptor.authenticate_additional_data(header)
    return decryptor.update(body) + decryptor.finalize()
