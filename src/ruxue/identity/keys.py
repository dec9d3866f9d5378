"""The provider's signing keys, parsed once per JWKS the process holds: Authlib keeps the JWKS it
fetched (with the discovery metadata) but parses it again for every ID token (0.13 ms a key).
A token signed under a key not in the set (the provider rotated its keys) fetches the JWKS again,
once, before it is refused."""

from typing import Any

from joserfc import jwt
from joserfc.errors import InvalidKeyIdError
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry

_parsed: dict[int, tuple[dict[str, Any], KeySet]] = {}  # id of a JWKS → (it, its keys)


async def provider_keys(client: Any, refresh: bool = False) -> KeySet:
    jwks = await client.fetch_jwk_set(force=refresh)
    held = _parsed.get(id(jwks))
    if held is None or held[0] is not jwks:
        if len(_parsed) > 8:  # a refreshed set replaces its forerunner; tests make many apps
            _parsed.clear()
        held = _parsed[id(jwks)] = (jwks, KeySet.import_key_set(jwks))
    return held[1]


async def verified(client: Any, token: str, registry: JWSRegistry) -> jwt.Token:
    """The token's header and claims, its signature checked (not yet its claims)."""
    try:
        return jwt.decode(token, await provider_keys(client), registry=registry)
    except InvalidKeyIdError:
        return jwt.decode(token, await provider_keys(client, refresh=True), registry=registry)
