"""The logged-in guardian, kept in the signed session cookie (ID number encrypted)."""

from dataclasses import dataclass

from authlib.integrations.starlette_client import OAuth
from fastapi import Request

from ruxue.kit import pii
from ruxue.kit.errors import RuxueError, Unauthorized
from ruxue.kit.http import client as http_client
from ruxue.kit.http import tls_context
from ruxue.kit.sessions import rotate
from ruxue.settings import Settings

REALNAME_ACR = "urn:jszwfw:loa:realname:sms"


@dataclass(frozen=True)
class Guardian:
    id_number: str
    name: str
    acr: str
    phone: str = ""


def make_oauth(settings: Settings) -> OAuth:
    oauth = OAuth()
    oauth.register(
        "jszwfw",
        client_id=settings.oidc_client_id,
        client_secret=settings.oidc_client_secret,
        server_metadata_url=f"{settings.idp_url.rstrip('/')}/.well-known/openid-configuration",
        client_kwargs={
            "scope": "openid profile idcard phone",
            "code_challenge_method": "S256",
            "verify": tls_context(),
        },  # Authlib makes an httpx client per login step
    )
    return oauth


def remember(request: Request, claims: dict[str, str]) -> Guardian:
    if claims.get("acr") != REALNAME_ACR or not claims.get("id_number"):
        raise Unauthorized("需要通过实名认证登录")
    rotate(request.scope)  # a new token at login: a planted cookie is never promoted
    request.session["guardian"] = {
        "id": pii.encrypt(claims["id_number"]),
        "name": claims.get("name", ""),
        "acr": claims["acr"],
        "phone": pii.encrypt(claims.get("phone_number", "")),
    }
    return current_guardian(request)


def current_guardian(request: Request) -> Guardian:
    data = request.session.get("guardian")
    if not data:
        raise Unauthorized("请先登录")
    phone = pii.decrypt(data["phone"]) if data.get("phone") else ""
    return Guardian(
        id_number=pii.decrypt(data["id"]), name=data["name"], acr=data["acr"], phone=phone
    )


def optional_guardian(request: Request) -> Guardian | None:
    return current_guardian(request) if request.session.get("guardian") else None


class PersonOtpError(RuxueError):
    code = "person_otp"


async def request_person_otp(settings: Settings, id_number: str, reason: str) -> dict[str, str]:
    """Ask the identity platform to send a third person (the spouse) an authorisation code."""
    async with http_client(timeout=10) as http:
        response = await http.post(
            f"{settings.idp_url.rstrip('/')}/api/person-otp",
            json={"id_number": id_number, "reason": reason},
            auth=(settings.oidc_client_id, settings.oidc_client_secret),
        )
    if response.status_code == 404:
        raise PersonOtpError("该身份证号码未在省统一身份认证平台实名注册，无法发送授权验证码。")
    response.raise_for_status()
    return response.json()


async def verify_person_otp(settings: Settings, txn: str, code: str) -> str:
    """The ID number the code was sent to, once the person confirmed; raises otherwise."""
    async with http_client(timeout=10) as http:
        response = await http.post(
            f"{settings.idp_url.rstrip('/')}/api/person-otp/verify",
            json={"txn": txn, "code": code},
            auth=(settings.oidc_client_id, settings.oidc_client_secret),
        )
    response.raise_for_status()
    body = response.json()
    if not body.get("verified"):
        raise PersonOtpError("授权验证码不正确或已过期，请重新获取。")
    return str(body["id_number"])


async def message_person(settings: Settings, id_number: str, text: str) -> bool:
    """Have the identity platform text a person at the phone it verified for them; the app never
    learns the number. False when the person has no account there (no phone is known)."""
    async with http_client(timeout=10) as http:
        response = await http.post(
            f"{settings.idp_url.rstrip('/')}/api/person-message",
            json={"id_number": id_number, "text": text},
            auth=(settings.oidc_client_id, settings.oidc_client_secret),
        )
    if response.status_code == 404:
        return False
    response.raise_for_status()
    return True
