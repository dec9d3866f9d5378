"""The app as the relying party of an independent OpenID provider (npm oidc-provider), twice: one
app talks to the provider directly; one through a proxy in front of the token endpoint, with no
leeway on the ID token's times."""

import os
from collections.abc import Iterator

import pytest
from joserfc.jwk import RSAKey

from ruxue.settings import Settings
from tests.support.helpers import ServerThread, free_port
from tests.support.identity import Standard
from tests.support.standard import MODULE, TokenProxy, start_provider


@pytest.fixture(scope="session")
def standard(
    settings: Settings, sandbox: ServerThread, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Standard]:
    from ruxue.web.app import create_app

    if not MODULE.exists():
        missing = "oidc-provider is not installed: run make setup (scripts/oidc-provider.sh)"
        if os.environ.get("CI") == "true":
            pytest.fail(missing)  # CI must not pass by skipping the independent provider
        pytest.skip(missing)
    ports = [free_port() for _ in range(6)]
    provider_url, rp_url, proxied_url, proxy_url = (f"http://127.0.0.1:{p}" for p in ports[:4])
    spare = [f"http://127.0.0.1:{p}" for p in ports[4:]]
    key = RSAKey.generate_key(2048)
    key_path = tmp_path_factory.mktemp("pkjwt") / "client.pem"
    key_path.write_bytes(key.as_pem(private=True))
    process = start_provider(ports[0], [rp_url, proxied_url, *spare], key.as_dict(private=False))
    proxy = TokenProxy(provider_url)
    proxy.url = proxy_url
    common = {
        "spouse_method": "link",
        "spouse_phone_check": "typed",  # a standard provider has no person-phone API
        "oidc_scopes": "openid profile idcard phone",
    }
    direct = settings.model_copy(update={"idp_url": provider_url, "public_url": rp_url, **common})
    via_proxy = settings.model_copy(
        update={"idp_url": proxy_url, "public_url": proxied_url, "oidc_leeway_s": 0, **common}
    )
    try:
        with (
            ServerThread(proxy.app, ports[3]),
            ServerThread(create_app(direct), ports[1]) as rp,
            ServerThread(create_app(via_proxy), ports[2]) as proxied,
        ):
            yield Standard(provider_url, rp, proxied, proxy, spare, key_path)
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def proxy(standard: Standard) -> Iterator[TokenProxy]:
    yield standard.proxy
    standard.proxy.hook = None
