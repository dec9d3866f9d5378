"""The provider's signing keys, files under ``var/keys/oidc/``: the current key signs; the previous
one stays published in the JWKS after a rotation (``ruxue clients rotate-key``), so ID tokens
signed just before it still verify."""

import json
import os
import secrets
from pathlib import Path
from typing import Any

from joserfc.jwk import RSAKey


def _dir(var_dir: Path) -> Path:
    return var_dir / "keys" / "oidc"


def _new(path: Path, replace: bool = False) -> RSAKey:
    """A new key at ``path``; without ``replace``, the key another process wrote first wins."""
    params: Any = {"kid": secrets.token_hex(8), "use": "sig", "alg": "RS256"}
    key = RSAKey.generate_key(2048, parameters=params)
    path.parent.mkdir(parents=True, exist_ok=True)
    scratch = path.with_suffix(f".{secrets.token_hex(4)}.tmp")
    scratch.write_text(json.dumps(key.as_dict(private=True)))
    scratch.chmod(0o600)
    try:
        if replace:
            os.replace(scratch, path)
            return key
        os.link(scratch, path)
    except FileExistsError:
        return RSAKey.import_key(json.loads(path.read_text()))
    finally:
        scratch.unlink(missing_ok=True)
    return key


def current(var_dir: Path) -> RSAKey:
    path = _dir(var_dir) / "current.json"
    if not path.exists():
        return _new(path)
    return RSAKey.import_key(json.loads(path.read_text()))


def published(var_dir: Path) -> dict[str, Any]:
    keys = [current(var_dir).as_dict(private=False)]
    previous = _dir(var_dir) / "previous.json"
    if previous.exists():
        keys.append(RSAKey.import_key(json.loads(previous.read_text())).as_dict(private=False))
    return {"keys": keys}


def rotate(var_dir: Path) -> str:
    """A new current key; the old current becomes the previous (the one before is dropped)."""
    folder = _dir(var_dir)
    old = current(var_dir)
    (folder / "previous.json").write_text(json.dumps(old.as_dict(private=True)))
    return _new(folder / "current.json", replace=True).kid or ""
