"""Login through the provincial identity platform (OIDC, authorization code + PKCE)."""

from authlib.integrations.starlette_client import OAuthError
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from ruxue.identity.service import remember
from ruxue.kit.errors import Unauthorized

router = APIRouter(prefix="/auth", tags=["identity"])


@router.get("/login")
async def login(request: Request) -> Response:
    oauth = request.app.state.oauth
    redirect_uri = str(request.url_for("auth_callback"))
    return await oauth.jszwfw.authorize_redirect(request, redirect_uri)


@router.get("/callback", name="auth_callback")
async def callback(request: Request) -> Response:
    try:
        token = await request.app.state.oauth.jszwfw.authorize_access_token(request)
    except OAuthError as exc:
        raise Unauthorized(f"登录未完成：{exc.error}") from None
    remember(request, token["userinfo"])
    return RedirectResponse("/apply", status_code=303)


@router.post("/logout")
async def logout(request: Request) -> Response:
    request.session.clear()
    return RedirectResponse("/", status_code=303)
