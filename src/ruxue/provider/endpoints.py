"""The city's OpenID Connect provider for county systems (``/oidc``): discovery, JWKS,
authorization (code + PKCE S256, brokering the guardian's provincial login, then the person's
consent to what the county asks for), token, userinfo,
RP-initiated logout with back-channel logout to every county session of the person (delivered
and retried by ``logouts.py``)."""

import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlencode

import structlog
from authlib.oauth2 import OAuth2Error, OAuth2Request
from authlib.oidc.core.errors import ConsentRequiredError, LoginRequiredError
from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.county.auth import ALGS, ASSERTION_TYPE, InvalidClient, unverified_subject, use_once
from ruxue.county.jwks import assertion_keys
from ruxue.kit import pii
from ruxue.kit.db import Database
from ruxue.kit.errors import RuxueError, Unauthorized
from ruxue.kit.oauth import FormRequest, oauth2_request, query_payload, subject
from ruxue.kit.security import csp_leading_to
from ruxue.provider import grants, keys, service
from ruxue.provider.rules import (
    asked,
    must_reauthenticate,
    needs_consent,
    refusal,
    without_reauthentication,
)
from ruxue.provider.server import SCOPES, CityProvider, user_claims
from ruxue.provider.service import issuer_of
from ruxue.reference.districts import district_label
from ruxue.staff.service import audit
from ruxue.web.deps import DatabaseDep, SettingsDep
from ruxue.web.mode import ELDER_PARAM, is_elder
from ruxue.web.render import render

log = structlog.get_logger("provider")
router = APIRouter(prefix="/oidc", tags=["oidc-provider"], include_in_schema=False)
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


@dataclass(frozen=True)
class City:
    """What the provider's handlers work with: the database, the issuer, the keys' directory."""

    db: Database
    issuer: str
    var_dir: Path


async def city_of(db: DatabaseDep, settings: SettingsDep) -> City:
    return City(db, issuer_of(settings), settings.var_dir)


CityDep = Annotated[City, Depends(city_of)]


@router.get("/.well-known/openid-configuration")
async def discovery(city: CityDep) -> dict[str, Any]:
    iss = city.issuer
    return {
        "issuer": iss,
        "authorization_endpoint": f"{iss}/authorize",
        "token_endpoint": f"{iss}/token",
        "userinfo_endpoint": f"{iss}/userinfo",
        "jwks_uri": f"{iss}/jwks",
        "end_session_endpoint": f"{iss}/logout",
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "authorization_response_iss_parameter_supported": True,
        "grant_types_supported": ["authorization_code"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": SCOPES,
        "token_endpoint_auth_methods_supported": [
            "client_secret_basic",
            "client_secret_post",
            "private_key_jwt",
        ],
        "token_endpoint_auth_signing_alg_values_supported": ALGS,
        "code_challenge_methods_supported": ["S256"],
        "claims_supported": ["sub", "name", "id_number", "phone_number", "acr", "auth_time", "sid"],
        "backchannel_logout_supported": True,
        "backchannel_logout_session_supported": True,
        "request_parameter_supported": False,
        "request_uri_parameter_supported": False,
    }


@router.get("/jwks")
async def jwks(city: CityDep) -> dict[str, Any]:
    return keys.published(city.var_dir)


@router.get("/authorize")
async def authorize(request: Request, city: CityDep) -> Response:
    """The county's user is sent here; without a city login they go through the guardian's
    provincial login first (``/auth/login``) and come back; then, unless an earlier consent
    covers what the county asks for, the consent page."""
    query = request.url.query
    if request.query_params.get(ELDER_PARAM) == "1" and not is_elder(request):
        # the county's 长辈版 comes along: the switch sets it here and comes back to this request
        return RedirectResponse(f"/mode?elder=1&next={quote(f'/oidc/authorize?{query}')}", 303)
    provider, req = await _provider_request(request, city, query)
    guardian = request.session.get("guardian")
    user = _user(request, city.issuer, guardian) if guardian else None
    try:
        grant = provider.get_consent_grant(req, end_user=user)
        refuse_request_objects(req, grant.redirect_uri)
        if user is not None and _stale(req, user):
            if "none" in req.payload.data.get("prompt", "").split():
                raise LoginRequiredError(redirect_uri=grant.redirect_uri)
            return _reauthenticate(req)
        ask = user is not None and await _must_ask(city.db, provider, req, user)
        if ask and "none" in req.payload.data.get("prompt", "").split():
            raise ConsentRequiredError(redirect_uri=grant.redirect_uri)
    except OAuth2Error as exc:
        return _refused(provider, req, exc)
    if user is None:
        return RedirectResponse(
            "/auth/login?next=" + quote(f"/oidc/authorize?{query}", safe=""), 303
        )
    if ask:
        return _consent_page(request, provider, req, query, grant.redirect_uri)
    return await _issue(city.db, provider, req, grant, user)


@router.post("/authorize")
async def decide(request: Request, city: CityDep) -> Response:
    """同意 issues the code and remembers the consent; 不同意 sends the county ``access_denied``.
    Both are audited. The authorization request is checked again as on the way in."""
    form = await request.form()
    query, agreed = str(form.get("request", "")), form.get("agree") == "yes"
    guardian = request.session.get("guardian")
    if not guardian:
        raise Unauthorized("登录已过期，请回到县区系统重新登录。")
    provider, req = await _provider_request(request, city, query)
    user = _user(request, city.issuer, guardian)
    try:
        grant = provider.get_consent_grant(req, end_user=user)
        refuse_request_objects(req, grant.redirect_uri)
    except OAuth2Error as exc:
        return _refused(provider, req, exc)
    client = provider.clients[req.payload.client_id].row
    scope = client_scope(provider, req)
    answer = provider.create_authorization_response(
        req, grant_user=user if agreed else None, grant=grant
    )  # 不同意: Authlib's access_denied, with the state, to the county's redirect URI
    async with city.db.write_session() as session:
        if agreed:
            await service.remember_consent(session, user["sub"], client, scope)
            await grants.save_codes(session, provider.new_codes)
        await audit(
            session,
            None,
            "oidc_consent" if agreed else "oidc_consent_refused",
            target=client.client_id,
            person=_person(guardian),
            scopes=scope,
            id_number="full" if client.full_id_number else "masked",
        )
    return answer


async def _provider_request(
    request: Request, city: City, query: str
) -> tuple[CityProvider, OAuth2Request]:
    """Authlib's server around the client the request names, and the request as it was asked."""
    payload = query_payload(query)
    if "scope" in payload:  # no refresh tokens are issued: offline_access is ignored (Core §11)
        payload["scope"] = " ".join(s for s in payload["scope"].split() if s != "offline_access")
    async with city.db.read_session() as session:
        clients = await service.clients(session, payload.get("client_id", ""))
    provider = CityProvider(city.issuer, keys.current(city.var_dir), clients)
    uri = f"{city.issuer}/authorize?{query}"
    return provider, FormRequest("GET", uri, request.headers, payload)


def _stale(req: OAuth2Request, user: dict[str, Any]) -> bool:
    data = req.payload.data
    return must_reauthenticate(
        data.get("prompt", ""), data.get("max_age"), int(user["auth_time"]), int(time.time())
    )


def _reauthenticate(req: OAuth2Request) -> Response:
    """To the provincial login again (asked to re-authenticate), then back to this request with
    its ``prompt=login``/``max_age`` met."""
    resume = "/oidc/authorize?" + urlencode(without_reauthentication(dict(req.payload.data)))
    return RedirectResponse("/auth/login?reauth=true&next=" + quote(resume, safe=""), 303)


def refuse_request_objects(req: OAuth2Request, redirect_uri: str) -> None:
    """Request objects are not supported (discovery says so): refused to the county, never
    silently ignored, since a county may have put in them what it expects to be honoured."""
    for name, error in (
        ("request", "request_not_supported"),
        ("request_uri", "request_uri_not_supported"),
    ):
        if name in req.payload.data:
            raise OAuth2Error(error=error, redirect_uri=redirect_uri)


def _refused(provider: CityProvider, req: OAuth2Request, exc: OAuth2Error) -> Response:
    if exc.redirect_uri:  # a checked redirect URI: the county hears of it (prompt=none …)
        exc.state = req.payload.state
        return provider.handle_error_response(req, exc)
    raise RefusedRequest(refusal(exc.error), code=exc.error) from None


class RefusedRequest(RuxueError):
    title = "登录请求无效"


def client_scope(provider: CityProvider, req: OAuth2Request) -> str:
    """The scopes asked for that the provider knows (the others are dropped, as Authlib does)."""
    return provider.clients[req.payload.client_id].get_allowed_scope(req.payload.scope or "")


async def _must_ask(
    db: Database, provider: CityProvider, req: OAuth2Request, user: dict[str, Any]
) -> bool:
    client = provider.clients[req.payload.client_id].row
    async with db.read_session() as session:
        granted = await service.consent_of(session, user["sub"], client.client_id)
    prompt = req.payload.data.get("prompt", "")
    return needs_consent(client_scope(provider, req), prompt, granted, client.full_id_number)


def _consent_page(
    request: Request, provider: CityProvider, req: OAuth2Request, query: str, redirect_uri: str
) -> Response:
    """The consent form posts here and is answered with a redirect to the county; browsers hold
    a form's redirects to ``form-action`` too, so this page's policy names that county's origin."""
    client = provider.clients[req.payload.client_id].row
    claims = asked(client_scope(provider, req), client.full_id_number)
    district = district_label(client.district_code)
    page = render(
        request, "oidc_consent.html", client=client, district=district, claims=claims, query=query
    )
    page.headers["content-security-policy"] = csp_leading_to(redirect_uri)
    return page


async def _issue(
    db: Database, provider: CityProvider, req: OAuth2Request, grant: Any, user: dict[str, Any]
) -> Response:
    answer = provider.create_authorization_response(req, grant_user=user, grant=grant)
    async with db.write_session() as session:
        await grants.save_codes(session, provider.new_codes)
    return answer


def _person(guardian: dict[str, Any]) -> str:
    return service.audit_name(pii.decrypt(guardian["id"]))


def _user(request: Request, issuer: str, guardian: dict[str, Any]) -> dict[str, Any]:
    """What the code carries of the city's logged-in person; the city session's ``sid``."""
    if "provider_sid" not in request.session:
        request.session["provider_sid"] = secrets.token_urlsafe(16)
        request.session["provider_auth_time"] = int(time.time())
    id_number = pii.decrypt(guardian["id"])
    return {
        "sub": subject(issuer, id_number),
        "sid": request.session["provider_sid"],
        "auth_time": guardian.get("auth_time") or request.session["provider_auth_time"],
        "acr": guardian.get("acr", ""),
        "name": guardian.get("name", ""),
        "id_enc": guardian["id"],
        "phone_enc": guardian.get("phone", ""),
    }


@router.post("/token")
async def token(request: Request, city: CityDep) -> Response:
    """One transaction: the code consumed, Authlib's answer, the client assertion's ``jti``
    recorded and the tokens saved. A refusal (a replayed assertion: 401) rolls it all back, so a
    request that issues nothing does not spend the code."""
    form = {k: str(v) for k, v in (await request.form()).items()}
    req = oauth2_request(request, form)
    client_id = form.get("client_id") or _basic_id(request.headers.get("authorization", ""))
    if not client_id and form.get("client_assertion_type") == ASSERTION_TYPE:
        client_id = _assertion_subject(form.get("client_assertion", ""))
    try:
        fetched = await assertion_keys(city.db, form)  # a jwks_uri: before the transaction
        async with city.db.write_session() as session:
            clients = await service.clients(session, client_id)
            code = await grants.consume_code(session, form.get("code", ""))
            provider = CityProvider(city.issuer, keys.current(city.var_dir), clients, code)
            provider.fetched_keys = fetched
            answer = provider.create_token_response(req)
            if not provider.new_tokens or code is None:
                raise _Refused(answer, provider)
            await _assertions_used(session, provider)
            await grants.save_tokens(session, provider.new_tokens, code)
    except _Refused as refused:
        if refused.provider.replayed is not None:
            await _revoke_replayed(city.db, refused.provider)
        return refused.answer
    except InvalidClient as exc:
        body = {"error": "invalid_client", "error_description": exc.message}
        return JSONResponse(body, status_code=401, headers=NO_STORE | exc.headers)
    return answer


class _Refused(Exception):
    def __init__(self, answer: Response, provider: CityProvider) -> None:
        self.answer, self.provider = answer, provider


async def _assertions_used(session: AsyncSession, provider: CityProvider) -> None:
    for jti, exp in provider.assertions:
        await use_once(session, jti, exp)


async def _revoke_replayed(db: Database, provider: CityProvider) -> None:
    """The code's own client used it a second time: the refusal stands, and what its first use
    gave goes — its access tokens, and the county session it opened (told by back-channel
    logout). In a transaction of its own, after the refused one rolled back; a replayed client
    assertion (401) revokes nothing."""
    code = provider.replayed
    assert code is not None
    async with db.write_session() as session:
        await _assertions_used(session, provider)
        revoked = await grants.revoke_tokens_of_code(session, code.code)
        user = code.user
        await service.end_sessions(session, user["sub"], client_id=code.client_id, sid=user["sid"])
        await audit(session, None, "oidc_code_replayed", target=code.client_id, revoked=revoked)
    log.warning("authorization code used again", client=code.client_id, revoked=revoked)


def _assertion_subject(assertion: str) -> str:
    try:
        return unverified_subject(assertion)
    except InvalidClient:
        return ""


def _basic_id(header: str) -> str:
    from ruxue.county.auth import basic_credentials

    try:
        found = basic_credentials(header)
    except RuxueError:
        return ""
    return found[0] if found else ""


@router.api_route("/userinfo", methods=["GET", "POST"])
async def userinfo(request: Request, db: DatabaseDep) -> Response:
    bearer = request.headers.get("authorization", "")
    async with db.read_session() as session:
        row = await grants.token_of(
            session, bearer[7:].strip() if bearer.lower().startswith("bearer ") else ""
        )
        clients = await service.clients(session, row.client_id) if row else []
    if row is None or not clients:
        headers = {"WWW-Authenticate": 'Bearer error="invalid_token"'}
        return JSONResponse({"error": "invalid_token"}, status_code=401, headers=headers)
    return JSONResponse(user_claims(row.user, row.scope, clients[0]), headers=NO_STORE)


@router.api_route("/logout", methods=["GET", "POST"])
async def logout(request: Request, city: CityDep) -> Response:
    """RP-initiated logout: ends the city session and, by back-channel logout, every county
    session of that person; then back to the county's registered post-logout URI. Without an
    ID token hint of this person the person is asked first (RP-Initiated Logout §2): a page
    whose form posts back here with the session's CSRF token."""
    params = dict(request.query_params)
    if request.method == "POST":
        params |= {k: str(v) for k, v in (await request.form()).items()}
    issuer = city.issuer
    hint = params.get("id_token_hint", "")
    claims = service.check_hint(hint, keys.published(city.var_dir), issuer) if hint else {}
    guardian = request.session.get("guardian")
    sub = subject(issuer, pii.decrypt(guardian["id"])) if guardian else ""
    if not sub:
        raise Unauthorized("没有需要退出的登录。")
    target = await _post_logout_target(city.db, params, claims)
    if claims and not _hint_names(claims, sub):
        return RedirectResponse(target or "/", status_code=303)  # another person's: not this one
    if not claims and not (request.method == "POST" and params.get("confirm") == "yes"):
        return await _confirm_logout(request, city, params)
    await _end_county_sessions(city.db, sub)
    request.session.clear()
    return RedirectResponse(target or "/", status_code=303)


LOGOUT_FIELDS = ("client_id", "post_logout_redirect_uri", "state")


async def _confirm_logout(request: Request, city: City, params: dict[str, str]) -> Response:
    """Asked, not done: a logout nobody proved to come from this person's county (no hint)."""
    fields = {k: params[k] for k in LOGOUT_FIELDS if params.get(k)}
    async with city.db.read_session() as session:
        found = await service.clients(session, fields.get("client_id", ""))
    page = render(request, "oidc_logout.html", client=found[0] if found else None, fields=fields)
    if target := fields.get("post_logout_redirect_uri"):
        page.headers["content-security-policy"] = csp_leading_to(target)
    return page


def _hint_names(claims: dict[str, Any], person: str) -> bool:
    """Whether an ID token hint (a county's pairwise ``sub``) is of this city session's person."""
    aud = claims.get("aud")
    client_id = aud[0] if isinstance(aud, list) and aud else str(aud or "")
    return secrets.compare_digest(
        str(claims.get("sub", "")), pii.pairwise_subject(client_id, person)
    )


async def _end_county_sessions(db: Database, sub: str) -> int:
    async with db.write_session() as session:
        return await service.end_sessions(session, sub)


async def _post_logout_target(db: Database, params: dict[str, str], claims: dict[str, Any]) -> str:
    uri = params.get("post_logout_redirect_uri", "")
    if not uri:
        return ""
    aud = claims.get("aud")
    client_id = params.get("client_id") or (aud[0] if isinstance(aud, list) else str(aud or ""))
    async with db.read_session() as session:
        found = await service.clients(session, client_id)
    if not found or uri not in found[0].post_logout_redirect_uris:
        raise RuxueError(
            "县区系统要求退出后返回的地址未在本平台登记，退出未完成。请回到该县区系统重试。",
            code="invalid_request",
        )
    state = params.get("state")
    return uri + (("&" if "?" in uri else "?") + urlencode({"state": state}) if state else "")
