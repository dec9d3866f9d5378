"""Production mode refuses development keys; a cookie signed with the development secret is refused."""

import base64
import json

import itsdangerous
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from ruxue.cli.main import app as cli
from ruxue.kit import pii
from ruxue.settings import (
    DEV_PII_KEY,
    Settings,
    UnsafeSettings,
    get_settings,
    require_safe,
)
from ruxue.web.app import create_app

SAFE = {
    "oidc_client_secret": "prod-oidc-secret",
    "exchange_client_key": "70726f642d636c69656e742d6b6579",
    "exchange_provider_key": "70726f642d70726f76696465722d6b6579",
    "pii_key": "00112233445566778899aabbccddeeff",
    "blind_index_key": "70726f642d626c696e642d696e646578",
    "file_key": "0123456789abcdef0123456789abcdef",
    "public_url": "https://ruxue.example.gov.cn",
}


def test_production_names_every_development_value() -> None:
    with pytest.raises(UnsafeSettings) as refused:
        require_safe(Settings(mode="production"))
    names = set(refused.value.names)
    assert names == {
        "RUXUE_OIDC_CLIENT_SECRET",
        "RUXUE_EXCHANGE_CLIENT_KEY",
        "RUXUE_EXCHANGE_PROVIDER_KEY",
        "RUXUE_PII_KEY",
        "RUXUE_BLIND_INDEX_KEY",
        "RUXUE_FILE_KEY",
        "RUXUE_PUBLIC_URL",
    }
    assert "RUXUE_PII_KEY" in str(refused.value.code)


def test_one_development_key_is_enough_to_refuse() -> None:
    with pytest.raises(UnsafeSettings) as refused:
        require_safe(Settings(mode="production", **{**SAFE, "pii_key": DEV_PII_KEY}))
    assert refused.value.names == ["RUXUE_PII_KEY"]
    with pytest.raises(UnsafeSettings) as http:
        require_safe(Settings(mode="production", **{**SAFE, "public_url": "http://x.gov.cn"}))
    assert http.value.names == ["RUXUE_PUBLIC_URL"]
    require_safe(Settings(mode="production", **SAFE))  # nothing left: starts
    county = {**SAFE, "upstream_url": "https://city.example.gov.cn/"}
    with pytest.raises(UnsafeSettings) as no_district:
        require_safe(Settings(mode="production", **county))
    assert no_district.value.names == ["RUXUE_COUNTY_DISTRICT"]  # it would take every district
    require_safe(Settings(mode="production", **county, county_district="320506"))
    require_safe(Settings(mode="demo"))  # demo and test allow the development keys


def test_app_and_cli_refuse_to_start(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(UnsafeSettings):
        create_app(Settings(mode="production"))
    monkeypatch.setenv("RUXUE_MODE", "production")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli, ["staff", "demo-code", "nobody"])
        assert result.exit_code != 0
        assert "RUXUE_PII_KEY" in result.output + str(result.exception)
        keyless = CliRunner().invoke(cli, ["dataset", "check", "--help"])
        assert keyless.exit_code == 0
    finally:
        get_settings.cache_clear()


def _cookie(secret: str, session: dict[str, object]) -> str:
    data = base64.b64encode(json.dumps(session).encode())
    return itsdangerous.TimestampSigner(secret).sign(data).decode()


def test_no_signed_cookie_makes_a_session(settings: Settings) -> None:
    """Sessions live on the server: a cookie signed with any key (the old development secret
    among them) is an unknown token, whatever it holds."""
    production = settings.model_copy(update={"mode": "production", **SAFE})
    signed_in = {"id": pii.encrypt("320506201909090013"), "name": "张三", "phone": ""}
    guardian = {"guardian": {**signed_in, "acr": "urn:jszwfw:loa:realname:sms"}}
    with TestClient(create_app(production), base_url="https://testserver") as client:
        for secret in ("ruxue-dev-session-secret", "any-other-secret"):
            client.cookies.set("ruxue_session", _cookie(secret, guardian))
            forged = client.get("/apply", follow_redirects=False)
            assert forged.status_code == 303 and forged.headers["location"] == "/auth/login"
