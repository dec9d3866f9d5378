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
    "oidc_client_secret": "prod-oidc-secret-7Qx",
    "exchange_client_key": "70726f642d636c69656e742d6b65792d3031",
    "exchange_provider_key": "70726f642d70726f76696465722d6b6579",
    "pii_key": "3a9f0c7e51b2d46810fe2c9a73b5d8e1",
    "blind_index_key": "70726f642d626c696e642d696e646578",
    "file_key": "c4e1a97b0d2f5836ae19b7c3d05f8264",
    "public_url": "https://ruxue.example.gov.cn",
    "idp_url": "https://idp.example.gov.cn/idp",
    "exchange_url": "https://exchange.example.gov.cn/exchange",
    "sms_url": "https://sms.example.gov.cn/send",
    "workorder_url": "https://12345.example.gov.cn/workorders",
    "now": None,
    "oidc_subject_key": "9b4d2e7f10c85a36e1f09d4b7c2a8e53",
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
        "RUXUE_OIDC_SUBJECT_KEY",
        "RUXUE_PUBLIC_URL",
        *("RUXUE_IDP_URL", "RUXUE_EXCHANGE_URL", "RUXUE_SMS_URL", "RUXUE_WORKORDER_URL"),
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
    county["upstream_client_secret"] = "county-secret-4Tz9"
    with pytest.raises(UnsafeSettings) as no_district:
        require_safe(Settings(mode="production", **county))
    assert no_district.value.names == ["RUXUE_COUNTY_DISTRICT"]  # it would take every district
    require_safe(Settings(mode="production", **county, county_district="320506"))
    require_safe(Settings(mode="demo"))  # demo and test allow the development keys


@pytest.mark.parametrize(
    ("changed", "name"),
    [
        ({"idp_url": "http://idp.example.gov.cn/idp"}, "RUXUE_IDP_URL"),
        ({"exchange_url": "http://exchange.example.gov.cn/"}, "RUXUE_EXCHANGE_URL"),
        ({"sms_url": "http://sms.example.gov.cn/send"}, "RUXUE_SMS_URL"),
        ({"now": "2026-06-15T10:00:00+08:00"}, "RUXUE_NOW"),
        ({"pii_key": "00" * 16}, "RUXUE_PII_KEY"),
        ({"file_key": "ab" * 16}, "RUXUE_FILE_KEY"),
        ({"exchange_client_key": "0123abcd"}, "RUXUE_EXCHANGE_CLIENT_KEY"),
        ({"oidc_client_secret": "secretsecretsecretsecret"}, "RUXUE_OIDC_CLIENT_SECRET"),
        ({"oidc_client_secret": "x"}, "RUXUE_OIDC_CLIENT_SECRET"),
    ],
)
def test_production_refuses_http_departments_a_fixed_clock_and_weak_keys(
    changed: dict[str, object], name: str
) -> None:
    with pytest.raises(UnsafeSettings) as refused:
        require_safe(Settings(mode="production", **{**SAFE, **changed}))
    assert refused.value.names == [name]


def test_a_county_needs_a_strong_secret_for_the_city() -> None:
    county = {**SAFE, "upstream_url": "https://city.example.gov.cn/", "county_district": "320506"}
    with pytest.raises(UnsafeSettings) as refused:
        require_safe(Settings(mode="production", **county, upstream_client_secret="1111"))
    assert refused.value.names == ["RUXUE_UPSTREAM_CLIENT_SECRET"]


def test_the_sandbox_refuses_to_start_in_production(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RUXUE_MODE", "production")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli, ["sandbox", "--port", "1"])
        assert result.exit_code == 1 and "沙箱只能在演示或测试模式下运行" in result.output
    finally:
        get_settings.cache_clear()


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


@pytest.mark.database
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
            assert forged.status_code == 303
            assert forged.headers["location"] == "/auth/login?next=/apply"
