"""The logged-in guardian, kept in the signed session cookie (ID number encrypted)."""

from dataclasses import dataclass

from authlib.integrations.starlette_client import OAuth
from fastapi import Request

from ruxue.kit import pii
from ruxue.kit.errors import Unauthorized
from ruxue.settings import Settings

REALNAME_ACR = "urn:jszwfw:loa:realname:sms"


@dataclass(frozen=True)
class Guardian:
    id_number: str
    name: str
    acr: str


def make_oauth(settings: Settings) -> OAuth:
    oauth = OAuth()
    oauth.register(
        "jszwfw",
        client_id=settings.oidc_client_id,
        client_secret=settings.oidc_client_secret,
        server_metadata_url=f"{settings.idp_url.rstrip('/')}/.well-known/openid-configuration",
        client_kwargs={"scope": "openid profile idcard", "code_challenge_method": "S256"},
    )
    return oauth


def remember(request: Request, claims: dict[str, str]) -> Guardian:
    if claims.get("acr") != REALNAME_ACR or not claims.get("id_number"):
        raise Unauthorized("需要通过实名认证登录")
    request.session["guardian"] = {
        "id": pii.encrypt(claims["id_number"]),
        "name": claims.get("name", ""),
        "acr": claims["acr"],
    }
    return current_guardian(request)


def current_guardian(request: Request) -> Guardian:
    data = request.session.get("guardian")
    if not data:
        raise Unauthorized("请先登录")
    return Guardian(id_number=pii.decrypt(data["id"]), name=data["name"], acr=data["acr"])


def optional_guardian(request: Request) -> Guardian | None:
    return current_guardian(request) if request.session.get("guardian") else None
