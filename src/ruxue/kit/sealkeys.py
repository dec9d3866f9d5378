"""The seal's published public keys (JWKS-like, served at ``/.well-known/seal-keys.json``): every
key the seal has signed with, by key id, with the time it came into use and, once replaced, the
time it was retired. A signature is checked only against the published key of its key id, never
against a key that comes with the signed document. Replacing the seal key file rotates: the next
read publishes the new key and retires the one before it; a retired key stays published, so what
it signed before its retirement still verifies."""

import base64
import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

from ruxue.kit.sm2 import SealKey, key_id, public_point, verify


def keys_file(seal_key_file: Path) -> Path:
    return seal_key_file.with_name(f"{seal_key_file.stem}-keys.json")


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def entry(public_pem: bytes, valid_from: dt.datetime) -> dict[str, Any]:
    point = public_point(public_pem)
    return {
        "kid": key_id(public_pem),
        "kty": "EC",
        "crv": "SM2",
        "alg": "SM2-SM3",
        "use": "sig",
        "x": _b64url(point[1:33]),
        "y": _b64url(point[33:]),
        "pem": public_pem.decode(),
        "valid_from": valid_from.astimezone(dt.UTC).isoformat(),
        "valid_to": None,
    }


def rotated(keys: list[dict[str, Any]], current: bytes, now: dt.datetime) -> list[dict[str, Any]]:
    """The key list with ``current`` published: already there, unchanged; new, every open key
    before it is retired at ``now``."""
    if any(k["kid"] == key_id(current) for k in keys):
        return keys
    retire = now.astimezone(dt.UTC).isoformat()
    closed = [k if k["valid_to"] else {**k, "valid_to": retire} for k in keys]
    return [*closed, entry(current, now)]


def published(seal_key_file: Path, now: dt.datetime) -> list[dict[str, Any]]:
    """The published keys, the current seal key among them (recorded on its first read)."""
    path = keys_file(seal_key_file)
    keys = json.loads(path.read_text())["keys"] if path.exists() else []
    current = SealKey.load_or_create(seal_key_file).public_pem()
    updated = rotated(keys, current, now)
    if updated is not keys:
        scratch = path.with_name(f".{path.name}.tmp")
        scratch.write_text(json.dumps({"keys": updated}, ensure_ascii=False, indent=1))
        os.replace(scratch, path)
    return updated


def signature_holds(
    keys: list[dict[str, Any]], kid: str, signed_at: dt.datetime, data: bytes, signature: bytes
) -> bool:
    """The signature verifies with the published key ``kid``, and that key was not yet retired
    when the document was signed."""
    key = next((k for k in keys if k["kid"] == kid), None)
    if key is None:
        return False
    if key["valid_to"] and signed_at >= dt.datetime.fromisoformat(key["valid_to"]):
        return False
    return verify(key["pem"].encode(), data, signature)
