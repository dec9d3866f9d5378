"""Personal data at rest: SM4-GCM encryption and an HMAC-SM3 blind index for equality lookups;
uploaded files SM4-GCM encrypted under a key named in their header.

An ID number is never stored in clear: the row keeps ``encrypt(id)`` to show it back (masked) and
``blind_index(id)`` to find it. The keys are settings; production keeps them in a KMS or HSM.

Every ciphertext names its key (``k2:…``; a value without a prefix was written under
``LEGACY_KEY_ID``), so a key can be replaced while older ones are still read
(``RUXUE_PII_OLD_KEYS``); ``ruxue keys rotate`` then moves the stored values to the current key.
"""

import base64
import os

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from ruxue.kit.crypto import hmac_sm3_hex
from ruxue.settings import get_settings

NONCE_BYTES = 12
TAG_BYTES = 16


LEGACY_KEY_ID = "k1"  # a value stored before key ids were written was encrypted under this id


def _keys(current_id: str, current: str, old: dict[str, str]) -> dict[str, str]:
    return {**old, current_id: current}


def pii_keys() -> dict[str, str]:
    """Key id -> key of every PII key still read: the current one and the older ones."""
    settings = get_settings()
    return _keys(settings.pii_key_id, settings.pii_key, settings.pii_old_keys)


def _key(key_id: str) -> bytes:
    keys = pii_keys()
    if key_id not in keys:
        raise ValueError(f"no PII key {key_id!r}; add it to RUXUE_PII_OLD_KEYS")
    return bytes.fromhex(keys[key_id])


def blind_index(value: str) -> str:
    """The index under the current key: what a new row keeps."""
    return hmac_sm3_hex(bytes.fromhex(get_settings().blind_index_key), value.encode())


def blind_indexes(value: str) -> list[str]:
    """The index under the current key, then under each older key still configured: a lookup
    matches any of them, so rows not yet moved by ``ruxue keys rotate`` are still found."""
    settings = get_settings()
    old = [k for i, k in settings.blind_index_old_keys.items() if i != settings.blind_index_key_id]
    return [blind_index(value), *(hmac_sm3_hex(bytes.fromhex(k), value.encode()) for k in old)]


def pairwise_subject(sector: str, person: str) -> str:
    """The ``sub`` one relying party (``sector``: its client id) gets for a person: HMAC-SM3 with a
    key of its own, so two counties' subjects cannot be joined, nor recomputed from an ID number."""
    key = bytes.fromhex(get_settings().oidc_subject_key)
    return hmac_sm3_hex(key, f"pairwise|{sector}|{person}".encode())[:32]


def key_id_of(token: str) -> str:
    """The id of the key a stored value is encrypted under (``k2:…``; no prefix: the legacy id)."""
    key_id, sep, _ = token.partition(":")
    return key_id if sep else LEGACY_KEY_ID


def encrypt(value: str) -> str:
    """``{key id}:`` then base64 of nonce, ciphertext and tag."""
    key_id = get_settings().pii_key_id
    nonce = os.urandom(NONCE_BYTES)
    encryptor = Cipher(algorithms.SM4(_key(key_id)), modes.GCM(nonce)).encryptor()
    body = encryptor.update(value.encode()) + encryptor.finalize()
    return f"{key_id}:" + base64.b64encode(nonce + body + encryptor.tag).decode()


def decrypt(token: str) -> str:
    key_id, sep, body64 = token.partition(":")
    if not sep:
        key_id, body64 = LEGACY_KEY_ID, token
    raw = base64.b64decode(body64)
    nonce, body, tag = raw[:NONCE_BYTES], raw[NONCE_BYTES:-TAG_BYTES], raw[-TAG_BYTES:]
    decryptor = Cipher(algorithms.SM4(_key(key_id)), modes.GCM(nonce, tag)).decryptor()
    return (decryptor.update(body) + decryptor.finalize()).decode()


def reencrypt(token: str) -> str:
    """The value under the current key; unchanged if it already is."""
    if key_id_of(token) == get_settings().pii_key_id:
        return token
    return encrypt(decrypt(token))


def last_four(value: str) -> str:
    """A certificate number as the trace keeps it: all but its last four characters hidden."""
    return "*" * max(len(value) - 4, 0) + value[-4:]


FILE_MAGIC = b"ruxue-sm4-gcm:"


def _file_key(key_id: str) -> bytes:
    settings = get_settings()
    keys = _keys(settings.file_key_id, settings.file_key, settings.file_old_keys)
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


def file_key_id_of(blob: bytes) -> str | None:
    """The key id in an encrypted file's header; None for a file stored in clear."""
    if not blob.startswith(FILE_MAGIC):
        return None
    return blob[len(FILE_MAGIC) :].split(b":", 1)[0].decode()
