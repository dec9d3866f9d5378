"""The provider's signing keys are parsed once per JWKS the process holds, and a token signed
under a key not in it (the provider rotated) fetches the JWKS again, once (identity/keys.py)."""

from typing import Any

import pytest
from joserfc import jwt
from joserfc.errors import BadSignatureError, InvalidKeyIdError
from joserfc.jwk import KeySet, RSAKey
from joserfc.jws import JWSRegistry

from ruxue.identity.keys import provider_keys, verified

REGISTRY = JWSRegistry(algorithms=["RS256"], strict_check_header=False)


def jwk(kid: str) -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": kid})


class Provider:
    """Authlib's client as far as the keys go: the JWKS held, fetched again when forced."""

    def __init__(self, *keys: RSAKey) -> None:
        self.published = keys
        self.held: dict[str, Any] | None = None
        self.fetches = 0

    async def fetch_jwk_set(self, force: bool = False) -> dict[str, Any]:
        if self.held is None or force:
            self.fetches += 1
            self.held = {"keys": [k.as_dict(private=False) for k in self.published]}
        return self.held


def signed(key: RSAKey) -> str:
    return jwt.encode({"alg": "RS256", "kid": key.kid}, {"sub": "s-1"}, key)


async def test_keys_are_parsed_once_per_jwks(monkeypatch: pytest.MonkeyPatch) -> None:
    parsed: list[int] = []
    original = KeySet.import_key_set

    def counting(data: Any) -> KeySet:
        parsed.append(1)
        return original(data)

    monkeypatch.setattr(KeySet, "import_key_set", counting)
    old = jwk("k-old")
    provider = Provider(old)
    for _ in range(3):
        assert (await verified(provider, signed(old), REGISTRY)).claims["sub"] == "s-1"
    assert len(parsed) == 1 and provider.fetches == 1
    assert await provider_keys(provider) is await provider_keys(provider)


async def test_a_rotated_key_fetches_the_jwks_again_once() -> None:
    old, new = jwk("k-old"), jwk("k-new")
    provider = Provider(old)
    await verified(provider, signed(old), REGISTRY)
    provider.published = (new,)  # the provider rotated
    assert (await verified(provider, signed(new), REGISTRY)).claims["sub"] == "s-1"
    assert provider.fetches == 2
    with pytest.raises(InvalidKeyIdError):  # a key it never published: fetched once more, refused
        await verified(provider, signed(jwk("k-other")), REGISTRY)
    assert provider.fetches == 3
    forged = jwt.encode({"alg": "RS256", "kid": "k-new"}, {"sub": "s-1"}, jwk("k-new"))
    with pytest.raises(BadSignatureError):  # the right kid, another key
        await verified(provider, forged, REGISTRY)
