"""A guardian logs in through an independent, OpenID-certified provider (npm oidc-provider at its
defaults) and applies; logout ends the provider's session too."""

import httpx
import pytest

from ruxue.settings import Settings
from tests.support.helpers import ServerThread
from tests.support.identity import Standard, login
from tests.support.personas import WANG, WANG_CHILD
from tests.support.standard import end_provider_session, end_session_url, payload


async def test_guardian_logs_in_and_applies(standard: Standard, schools: None) -> None:
    async with httpx.AsyncClient(timeout=30) as browser:
        start_url = (await httpx.AsyncClient(base_url=standard.rp.url).get("/auth/login")).headers[
            "location"
        ]
        assert start_url.startswith(f"{standard.provider}/auth?")
        assert "acr_values=urn%3Ajszwfw%3Aloa%3Arealname%3Asms" in start_url
        assert "code_challenge_method=S256" in start_url and "nonce=" in start_url
        assert (
            f"redirect_uri={standard.rp.url.replace(':', '%3A').replace('/', '%2F')}" in start_url
        )
        http = await login(standard.rp, browser, WANG)
        try:
            page = await http.get("/apply")
            assert page.status_code == 200 and "我的办理" in page.text and WANG not in page.text
            created = await http.post(
                "/api/v1/cases",
                json={"segment": "primary", "child_id_number": WANG_CHILD, "consent": True},
            )
            assert created.status_code == 201, created.text
            case = created.json()
            assert any(f["source"] == "公安（户籍）" for f in case["fetched"])
            step3 = await http.get(f"/cases/{case['case_no']}/step/3")
            assert step3.status_code == 200, step3.text
        finally:
            await http.aclose()


async def test_logout_ends_the_provider_session(standard: Standard) -> None:
    async with httpx.AsyncClient(timeout=30) as browser:
        http = await login(standard.rp, browser, WANG)
        again = await http.get("/auth/login")  # the provider's session: straight through
        passed = await browser.get(again.headers["location"])
        assert passed.is_redirect and passed.headers["location"].startswith(standard.rp.url)
        end = end_session_url(await http.post("/auth/logout"))
        assert end.startswith(f"{standard.provider}/session/end") and "id_token_hint=" in end
        assert (await http.get("/api/v1/me/data-tracker")).status_code == 401
        done = await end_provider_session(browser, end)
        assert done.is_redirect and done.headers["location"].startswith(standard.rp.url)
        after = await http.get("/auth/login")
        page = await browser.get(after.headers["location"], follow_redirects=True)
        assert page.status_code == 200 and 'name="login"' in page.text  # the login page again
        await http.aclose()


async def test_provider_logout_ends_the_app_session_by_back_channel(standard: Standard) -> None:
    async with httpx.AsyncClient(timeout=30) as browser:
        http = await login(standard.rp, browser, WANG)
        assert (await http.get("/api/v1/me/data-tracker")).status_code == 200
        done = await end_provider_session(browser, f"{standard.provider}/session/end")
        assert done.is_redirect
        assert (await http.get("/api/v1/me/data-tracker")).status_code == 401
        await http.aclose()


@pytest.mark.parametrize("method", ["client_secret_post", "private_key_jwt"])
async def test_client_authentication_is_configured(
    standard: Standard, settings: Settings, method: str
) -> None:
    from ruxue.web.app import create_app

    url = standard.spare[0] if method == "client_secret_post" else standard.spare[1]
    config = {
        "idp_url": standard.provider,
        "public_url": url,
        "oidc_client_auth": method,
        "oidc_client_id": "ruxue-post" if method == "client_secret_post" else "ruxue-pkjwt",
        "oidc_client_secret": "ruxue-post-secret",
        "oidc_private_key_path": standard.key_path,
    }
    app = create_app(settings.model_copy(update=config))
    with ServerThread(app, int(url.rsplit(":", 1)[1])) as server:
        async with httpx.AsyncClient(timeout=30) as browser:
            http = await login(server, browser, WANG)
            assert (await http.get("/api/v1/me/data-tracker")).status_code == 200
            end = end_session_url(await http.post("/auth/logout"))
            hint = end.split("id_token_hint=")[1].split("&")[0]
            assert payload(hint)["aud"] == config["oidc_client_id"]
            await http.aclose()


async def test_redirect_uri_is_the_public_url_whatever_the_host_header(standard: Standard) -> None:
    async with httpx.AsyncClient(base_url=standard.rp.url) as http:
        start = await http.get("/auth/login", headers={"Host": "evil.example"})
    assert start.status_code == 302
    location = start.headers["location"]
    assert "evil.example" not in location
    assert f"redirect_uri={standard.rp.url.replace(':', '%3A').replace('/', '%2F')}" in location
