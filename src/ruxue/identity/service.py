"""The logged-in person (a guardian, or a spouse authorising), kept in the server-side session:
the account is (issuer, subject); the ID number, name and phone are the provider's verified
attributes (ID number and phone SM4-encrypted in the session row)."""

import datetime as dt
import time
from dataclasses import dataclass
from functools import cache
from typing import Any

from fastapi import Request
from sqlalchemy import BindParameter, bindparam
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import ReturningInsert

from ruxue.identity.client import Login, LoginFailed, make_oauth
from ruxue.identity.models import Account
from ruxue.kit import pii
from ruxue.kit.clock import utcnow
from ruxue.kit.errors import RuxueError, Unauthorized
from ruxue.kit.http import client as http_client
from ruxue.kit.sessions import idp_key, rotate
from ruxue.person.rules import IdNumberError, parse_id_number
from ruxue.settings import Settings
from ruxue.web.deps import settings_of

__all__ = ["Guardian", "current_guardian", "make_oauth", "optional_guardian", "remember"]


@dataclass(frozen=True)
class Guardian:
    id_number: str
    name: str
    acr: str
    phone: str = ""
    issuer: str = ""
    subject: str = ""


def verified_attributes(login: Login, settings: Settings) -> dict[str, str]:
    """The ID number (checked), name and phone under the configured claim names."""
    claims = login.claims
    try:
        id_number = parse_id_number(str(claims.get(settings.oidc_claim_id_number) or "")).value
    except IdNumberError:
        raise LoginFailed("需要通过实名认证登录：身份认证平台未提供有效的身份证号码。") from None
    return {
        "id_number": id_number,
        "name": str(claims.get(settings.oidc_claim_name) or ""),
        "phone": str(claims.get(settings.oidc_claim_phone) or ""),
    }


async def bind_account(session: AsyncSession, login: Login, id_number: str) -> int:
    """The id of the account of (issuer, subject), made at the first login and stamped at every
    one, in one statement; refused if the provider now says another ID number. Two first logins
    at once (twins' parent, a double click) both get in: the second updates the first's row."""
    indexes = pii.blind_indexes(id_number)
    values = {"issuer": login.issuer, "subject": login.subject, "now": utcnow()}
    upsert = _account_upsert(session.get_bind().dialect.name)
    account_id = await session.scalar(upsert, {**values, "id_index": indexes[0], "known": indexes})
    if account_id is None:
        raise LoginFailed("登录未完成：该账号的实名信息与此前不一致，请联系身份认证平台。")
    return int(account_id)


@cache
def _account_upsert(dialect: str) -> ReturningInsert[int]:
    """Built once per dialect (building it cost more than running it): insert, or stamp the row
    and move an index under an older key to the current one; another person's: no row."""
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    now: BindParameter[dt.datetime] = bindparam("now")
    index: BindParameter[str] = bindparam("id_index")
    new = insert(Account).values(
        issuer=bindparam("issuer"),
        subject=bindparam("subject"),
        id_index=index,
        first_login_at=now,
        last_login_at=now,
    )
    return new.on_conflict_do_update(
        index_elements=[Account.issuer, Account.subject],
        set_={"id_index": index, "last_login_at": now},
        where=Account.id_index.in_(bindparam("known", expanding=True)),
    ).returning(Account.id)


def remember(request: Request, login: Login, person: dict[str, str]) -> Guardian:
    rotate(request.scope)  # a new token at login: a planted cookie is never promoted
    request.session.clear()
    request.session["guardian"] = {
        "id": pii.encrypt(person["id_number"]),
        "name": person["name"],
        "acr": str(login.claims.get("acr", "")),
        "phone": pii.encrypt(person["phone"]),
        "iss": login.issuer,
        "sub": login.subject,
        "auth_time": authenticated_at(login.claims),
    }
    request.session["oidc"] = {
        "id_token": login.id_token,
        "sid_key": idp_key(login.issuer, login.sid) if login.sid else "",
        "sub_key": idp_key(login.issuer, login.subject),
    }
    return current_guardian(request)


def authenticated_at(claims: dict[str, Any]) -> int:
    """When the person authenticated at the provincial login: its ``auth_time``, or now."""
    stated = claims.get("auth_time")
    return stated if isinstance(stated, int) and stated > 0 else int(time.time())


def _kiosk_alive(request: Request) -> bool:
    """A session signed in at a kiosk lives only while it is used: its idle timeout covers every
    page it opens (the family's notice included), not only the kiosk's own."""
    if not request.session.get("kiosk"):
        return True
    now, seen = utcnow(), request.session.get("kiosk_seen")
    limit = dt.timedelta(seconds=settings_of(request).kiosk_idle_seconds)
    if seen is None or now - dt.datetime.fromisoformat(seen) > limit:
        request.session.clear()
        return False
    request.session["kiosk_seen"] = now.isoformat()
    return True


def current_guardian(request: Request) -> Guardian:
    data: dict[str, Any] | None = request.session.get("guardian")
    if not data or not _kiosk_alive(request):
        raise Unauthorized("请先登录")
    phone = pii.decrypt(data["phone"]) if data.get("phone") else ""
    return Guardian(
        id_number=pii.decrypt(data["id"]),
        name=data["name"],
        acr=data["acr"],
        phone=phone,
        issuer=data.get("iss", ""),
        subject=data.get("sub", ""),
    )


def optional_guardian(request: Request) -> Guardian | None:
    if not request.session.get("guardian") or not _kiosk_alive(request):
        return None
    return current_guardian(request)


class PersonOtpError(RuxueError):
    code = "person_otp"


async def request_person_otp(settings: Settings, id_number: str, reason: str) -> dict[str, str]:
    """Ask the identity platform to send a third person (the spouse) an authorisation code."""
    if settings.spouse_method != "code":  # a private API of the sandbox, not of a standard provider
        raise PersonOtpError("本平台配偶授权采用短信链接方式：请在配偶信息页发送授权链接。")
    async with http_client(settings.ca_bundle, timeout=10) as http:
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
    async with http_client(settings.ca_bundle, timeout=10) as http:
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


@dataclass(frozen=True)
class PersonPhone:
    """Whether a typed number is the one the identity platform verified for a person, and that
    number masked (``138****5678``)."""

    matches: bool
    masked: str


async def check_person_phone(settings: Settings, id_number: str, phone: str) -> PersonPhone | None:
    """Ask the identity platform about a person's verified phone; None when it knows no phone
    for the person (no account there)."""
    async with http_client(settings.ca_bundle, timeout=10) as http:
        response = await http.post(
            f"{settings.idp_url.rstrip('/')}/api/person-phone",
            json={"id_number": id_number, "phone": phone},
            auth=(settings.oidc_client_id, settings.oidc_client_secret),
        )
    if response.status_code == 404:
        return None
    response.raise_for_status()
    body = response.json()
    return PersonPhone(matches=body.get("matches") is True, masked=str(body.get("phone_masked")))
