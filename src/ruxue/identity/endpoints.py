"""Login through an OpenID provider (authorization code + PKCE S256), logout at both ends, and the
provider's back- and front-channel logout."""

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from ruxue.identity import client
from ruxue.identity import state as login_state
from ruxue.identity.client import LoginFailed
from ruxue.identity.logout import BadLogoutToken, frontchannel_keys, logout_token_keys
from ruxue.identity.rules import safe_next
from ruxue.identity.service import bind_account, remember, verified_attributes
from ruxue.kit.sessions import revoke_idp
from ruxue.provider.service import end_county_sessions_of, issuer_of, people_of_idp_sessions
from ruxue.web.deps import DatabaseDep, OAuthDep, SettingsDep

router = APIRouter(prefix="/auth", tags=["identity"])
NO_STORE = {"Cache-Control": "no-store"}


@router.get("/login")
async def login(
    request: Request, settings: SettingsDep, oauth: OAuthDep, next: str = "", reauth: bool = False
) -> Response:
    # only our own pages (an SMS link, the spouse's page, the city's provider resuming a county's
    # login): never another origin
    after = safe_next(next) or ""
    # a county asked for a fresh login (prompt=login, max_age): so does the city, of the province
    prompt = "login" if reauth else ""
    return await client.start(oauth, request, settings, prompt=prompt, after=after)


@router.get("/callback", name="auth_callback")
async def callback(
    request: Request, db: DatabaseDep, settings: SettingsDep, oauth: OAuthDep
) -> Response:
    started = login_state.opened(request.cookies.get(login_state.COOKIE))
    spent = login_state.answers(started, request.query_params.get("state"))
    cleared = login_state.cookie_header("", client.https(settings))
    try:
        login = await client.finish(oauth, request, settings, started if spent else None)
        person = verified_attributes(login, settings)
        async with db.write_session() as session:
            await bind_account(session, login, person["id_number"])
    except LoginFailed as exc:  # this browser's state is spent, whatever went wrong
        if spent:
            exc.headers["set-cookie"] = cleared
        raise
    remember(request, login, person)
    after = (started.after if started else "") or "/apply"
    response: Response
    if after.startswith("/oidc/authorize"):  # on to a county: its origin is not the form's
        response = _leading_on(
            request, after, "登录成功", "正在返回区县入学系统。", "继续", "continue-login"
        )
    else:
        response = RedirectResponse(after, status_code=303)
    response.headers.append("set-cookie", cleared)
    return response


@router.get("/logout", response_class=HTMLResponse, include_in_schema=False)
async def logout_confirm(request: Request) -> Response:
    """A GET never logs out (a link or image of another site could): it asks, posting with the
    session's CSRF token."""
    from ruxue.web.render import render  # the pages import this module's neighbours

    return render(request, "logout_confirm.html", action="/auth/logout", back="/")


@router.post("/logout")
async def logout(
    request: Request, settings: SettingsDep, oauth: OAuthDep, db: DatabaseDep
) -> Response:
    """End our session, then the provider's (RP-initiated logout) when it offers one."""
    id_token = (request.session.get("oidc") or {}).get("id_token", "")
    if guardian := request.session.get("guardian"):  # the city as provider: counties' end too
        async with db.write_session() as session:  # the counties are told after the commit
            await end_county_sessions_of(session, issuer_of(settings), [guardian["id"]])
    request.session.clear()
    url = await client.end_session_url(oauth, request, settings, id_token) if id_token else None
    if url is None:
        return RedirectResponse("/", status_code=303)
    # not a redirect: Chromium stops one to the provider, leaving its session alive
    text = "正在前往身份认证平台退出登录，以免下一位使用这台设备的人进入您的账号。"
    return _leading_on(
        request, url, "已退出本系统", text, "继续退出身份认证平台", "continue-logout"
    )


def _leading_on(
    request: Request, url: str, heading: str, text: str, button: str, link_id: str
) -> Response:
    """A page of ours that goes on to ``url``: browsers hold every redirect after a form to the
    form page's CSP form-action ('self' and the next hop), so a chain ending at another origin
    — the provider's logout, a county after the provincial login — goes on from here."""
    from ruxue.web.render import render  # the pages import this module's neighbours

    return render(
        request,
        "leading_on.html",
        url=url,
        title=heading,
        heading=heading,
        text=text,
        button=button,
        link_id=link_id,
    )


@router.post("/backchannel-logout", include_in_schema=False)
async def backchannel_logout(
    request: Request,
    db: DatabaseDep,
    oauth: OAuthDep,
    settings: SettingsDep,
    logout_token: str = Form(""),
) -> Response:
    try:
        sid_keys, sub_keys = await logout_token_keys(oauth, logout_token, settings)
    except BadLogoutToken:
        return JSONResponse({"error": "invalid_request"}, status_code=400, headers=NO_STORE)
    async with db.write_session() as session:
        people = await people_of_idp_sessions(session, sid_keys, sub_keys)
        await revoke_idp(session, sid_keys, sub_keys)
        await end_county_sessions_of(session, issuer_of(settings), people)  # told after the commit
    return Response(status_code=200, headers=NO_STORE)


@router.get("/frontchannel-logout", include_in_schema=False)
async def frontchannel_logout(
    request: Request,
    db: DatabaseDep,
    oauth: OAuthDep,
    iss: str = "",
    sid: str = "",
) -> Response:
    oauth_client = oauth.create_client(client.NAME)
    try:
        issuer = str((await oauth_client.load_server_metadata())["issuer"])
        sid_keys = frontchannel_keys(iss, sid, issuer)
    except (BadLogoutToken, *client.FAILURES):
        return HTMLResponse("<p>无效的退出请求</p>", status_code=400, headers=NO_STORE)
    async with db.write_session() as session:
        await revoke_idp(session, sid_keys, [])
    request.session.clear()
    return HTMLResponse("<p>已退出登录</p>", headers=NO_STORE)
