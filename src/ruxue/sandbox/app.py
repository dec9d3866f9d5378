"""The department sandbox as one FastAPI app: identity platform, department services, faults."""

import base64
import datetime as dt
import os
import secrets
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import msgspec
import orjson
import structlog
from authlib.oauth2 import OAuth2Error
from fastapi import FastAPI, Form, Header, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from fastapi.templating import Jinja2Templates

from ruxue.dataset.schemas import Dataset
from ruxue.dataset.service import summary
from ruxue.exchange.envelope import (
    BATCH_SERVICES,
    MAX_BATCH_ITEMS,
    EnvelopeError,
    body_subjects,
    sign_response,
    verify_request,
)
from ruxue.kit.crypto import canonical_json, sm3_hex
from ruxue.kit.oauth import oauth2_request, query_payload
from ruxue.kit.security import SecurityMiddleware, csp_leading_to
from ruxue.person.rules import mask_id_number, mask_name
from ruxue.sandbox.departments import SERVICES, Handler, NoRecord
from ruxue.sandbox.faults import Fault, Faults
from ruxue.sandbox.idp import Client, Provider, phone_of
from ruxue.sandbox.sms import KeyReused, SmsLog
from ruxue.sandbox.store import Store
from ruxue.settings import Settings

log = structlog.get_logger("sandbox")
TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")
OTP_TTL = 300


class Sandbox:
    """Everything the sandbox keeps while it runs."""

    def __init__(self, data: Dataset, settings: Settings, base_url: str) -> None:
        self.store = Store(data)
        self.faults = Faults()
        self.client_keys = {
            settings.exchange_client_id: bytes.fromhex(settings.exchange_client_key)
        }
        self.provider_key = bytes.fromhex(settings.exchange_provider_key)
        clients = {
            settings.oidc_client_id: Client(
                settings.oidc_client_id,
                settings.oidc_client_secret,
                ["http://127.0.0.1:", "http://localhost:"],
            )
        }
        self.idp = Provider(f"{base_url}/idp", clients, self.store.persons)
        self.otps: dict[str, dict[str, Any]] = {}
        self.sms = SmsLog(settings.clock)
        self.clock = settings.clock  # the app's clock (RUXUE_NOW in a demo): times people read
        self.calls: deque[dict[str, Any]] = deque(maxlen=2000)
        self.call_file = settings.var_dir / "sandbox-calls.jsonl"

    def record_call(self, entry: dict[str, Any]) -> None:
        self.calls.appendleft(entry)
        self.call_file.parent.mkdir(parents=True, exist_ok=True)
        with self.call_file.open("ab") as f:
            f.write(orjson.dumps(entry) + b"\n")

    def send_sms(self, phone: str, text: str) -> None:
        self.sms.send(phone, text)


def create_sandbox_app(data: Dataset, settings: Settings, base_url: str) -> FastAPI:
    os.environ.setdefault("AUTHLIB_INSECURE_TRANSPORT", "1")  # the sandbox speaks plain HTTP
    app = FastAPI(
        title="ruxue 部门沙箱", docs_url="/_sandbox/docs", openapi_url="/_sandbox/openapi.json"
    )
    app.add_middleware(SecurityMiddleware, public_url=base_url)  # the app's headers, origin check
    sb = Sandbox(data, settings, base_url.rstrip("/"))
    app.state.sandbox = sb
    _idp_routes(app, sb)
    _exchange_routes(app, sb)
    _admin_routes(app, sb)
    _hotline_routes(app, sb)

    @app.get("/favicon.ico", include_in_schema=False)
    async def favicon() -> Response:
        return FileResponse(Path(__file__).parent.parent / "web" / "static" / "favicon.ico")

    return app


def _idp_routes(app: FastAPI, sb: Sandbox) -> None:
    idp = sb.idp

    @app.get("/idp/.well-known/openid-configuration")
    async def discovery() -> dict[str, Any]:
        iss = idp.issuer
        return {
            "issuer": iss,
            "authorization_endpoint": f"{iss}/authorize",
            "token_endpoint": f"{iss}/token",
            "userinfo_endpoint": f"{iss}/userinfo",
            "jwks_uri": f"{iss}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "profile", "idcard", "phone"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "grant_types_supported": ["authorization_code"],
            "acr_values_supported": ["urn:jszwfw:loa:realname:sms"],
            "claims_parameter_supported": True,
            "claims_supported": [
                "sub",
                "name",
                "id_number",
                "phone_number",
                "acr",
                "amr",
                "auth_time",
            ],
        }

    @app.get("/idp/jwks")
    async def jwks() -> dict[str, Any]:
        return idp.jwks()

    @app.get("/idp/authorize", response_class=HTMLResponse)
    async def authorize(request: Request) -> Response:
        query = request.url.query
        error = _check_authorize(sb, request, query)
        if error:
            return TEMPLATES.TemplateResponse(
                request, "idp_error.html", {"error": error}, status_code=400
            )
        return TEMPLATES.TemplateResponse(request, "idp_login.html", {"query": query})

    @app.post("/idp/authorize/sms", response_class=HTMLResponse)
    async def send_code(
        request: Request, query: str = Form(...), id_number: str = Form(...)
    ) -> Response:
        id_number = id_number.strip().upper()
        person = sb.store.persons.get(id_number)
        if person is None or _age(person.birth_date) < 18:
            ctx = {
                "query": query,
                "error": "该身份证号码未在本平台实名注册（沙箱：请使用数据集中的成年人）",
            }
            return TEMPLATES.TemplateResponse(request, "idp_login.html", ctx, status_code=400)
        txn, code = secrets.token_urlsafe(16), f"{secrets.randbelow(10**6):06d}"
        sb.otps[txn] = {
            "id_number": id_number,
            "code": code,
            "expires": time.time() + OTP_TTL,
            "tries": 0,
        }
        phone = phone_of(id_number)
        sb.send_sms(phone, f"【江苏政务服务】您的登录验证码为{code}，5分钟内有效。")
        ctx = {
            "query": query,
            "txn": txn,
            "code": code,
            "phone": _mask_phone(phone),
            "name": mask_name(person.name),
        }
        return _code_page(sb, request, ctx)

    @app.post("/idp/authorize/verify", response_class=HTMLResponse)
    async def verify(
        request: Request, query: str = Form(...), txn: str = Form(...), code: str = Form(...)
    ) -> Response:
        pending = sb.otps.get(txn)
        if not pending or pending["expires"] < time.time() or pending["tries"] >= 5:
            sb.otps.pop(txn, None)
            ctx = {"query": query, "error": "验证码已失效，请重新获取"}
            return TEMPLATES.TemplateResponse(request, "idp_login.html", ctx, status_code=400)
        if not secrets.compare_digest(code.strip(), pending["code"]):
            pending["tries"] += 1
            ctx = {
                "query": query,
                "txn": txn,
                "error": "验证码不正确",
                "phone": "",
                "code": pending["code"],
            }
            return _code_page(sb, request, ctx, status_code=400)
        sb.otps.pop(txn)
        req = oauth2_request(request, query_payload(query), f"{idp.issuer}/authorize?{query}")
        grant = idp.get_authorization_grant(req)
        return idp.create_authorization_response(req, grant_user=pending["id_number"], grant=grant)

    @app.post("/idp/api/person-otp")
    async def person_otp(request: Request, body: dict[str, str]) -> Response:
        """A relying party asks a third person (a spouse) to authorise by SMS code."""
        if not _client_ok(sb, request):
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        person = sb.store.persons.get(str(body.get("id_number", "")).upper())
        if person is None or _age(person.birth_date) < 18:
            return JSONResponse(
                {"error": "unknown_person", "message": "该身份证号码未在本平台实名注册"},
                status_code=404,
            )
        txn, code = secrets.token_urlsafe(16), f"{secrets.randbelow(10**6):06d}"
        sb.otps[txn] = {
            "id_number": person.id_number,
            "code": code,
            "expires": time.time() + OTP_TTL,
            "tries": 0,
        }
        reason = str(body.get("reason", ""))[:60]
        sb.send_sms(
            phone_of(person.id_number),
            f"【江苏政务服务】{reason}授权验证码{code}，5分钟内有效。如非本人同意请勿告知他人。",
        )
        return JSONResponse({"txn": txn, "phone_masked": _mask_phone(phone_of(person.id_number))})

    @app.post("/idp/api/person-message")
    async def person_message(request: Request, body: dict[str, str]) -> Response:
        """A relying party has a registered person texted at their verified phone (a notice)."""
        if not _client_ok(sb, request):
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        person = sb.store.persons.get(str(body.get("id_number", "")).upper())
        if person is None or _age(person.birth_date) < 18:
            return JSONResponse({"error": "unknown_person"}, status_code=404)
        sb.send_sms(phone_of(person.id_number), str(body.get("text", ""))[:200])
        return JSONResponse({"phone_masked": _mask_phone(phone_of(person.id_number))})

    @app.post("/idp/api/person-phone")
    async def person_phone(request: Request, body: dict[str, str]) -> Response:
        """A relying party asks whether a number is the one a registered person verified here
        (a spouse's link is sent only there); the answer masks the verified number."""
        if not _client_ok(sb, request):
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        person = sb.store.persons.get(str(body.get("id_number", "")).upper())
        if person is None or _age(person.birth_date) < 18:
            return JSONResponse({"error": "unknown_person"}, status_code=404)
        verified = phone_of(person.id_number)
        matches = secrets.compare_digest(str(body.get("phone", "")).strip(), verified)
        return JSONResponse({"matches": matches, "phone_masked": _mask_phone(verified)})

    @app.post("/idp/api/person-otp/verify")
    async def person_otp_verify(request: Request, body: dict[str, str]) -> Response:
        if not _client_ok(sb, request):
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        pending = sb.otps.get(str(body.get("txn", "")))
        if not pending or pending["expires"] < time.time() or pending["tries"] >= 5:
            sb.otps.pop(str(body.get("txn", "")), None)
            return JSONResponse({"verified": False, "error": "expired"})
        if not secrets.compare_digest(str(body.get("code", "")).strip(), pending["code"]):
            pending["tries"] += 1
            return JSONResponse({"verified": False, "error": "wrong_code"})
        sb.otps.pop(str(body["txn"]))
        return JSONResponse({"verified": True, "id_number": pending["id_number"]})

    _kiosk_routes(app, sb)

    @app.post("/idp/token")
    async def token(request: Request) -> Response:
        form = {k: str(v) for k, v in (await request.form()).items()}
        return idp.create_token_response(oauth2_request(request, form))

    @app.api_route("/idp/userinfo", methods=["GET", "POST"])
    async def userinfo(request: Request) -> Response:
        auth = request.headers.get("authorization", "")
        tok = (
            idp.tokens.get(auth.removeprefix("Bearer ").strip())
            if auth.startswith("Bearer ")
            else None
        )
        if not tok or tok["expires"] < time.time():
            return JSONResponse(
                {"error": "invalid_token"},
                status_code=401,
                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
        return JSONResponse(dict(idp.user_info(tok["user_id"], tok["scope"])))


def _kiosk_routes(app: FastAPI, sb: Sandbox) -> None:
    """The identity platform's card-and-face check for self-service terminals (读卡 + 人脸比对),
    and the simulated reader a terminal's agent uses in the sandbox. Faults: ``kiosk``."""

    @app.post("/idp/api/card-face")
    async def card_face(request: Request, body: dict[str, str]) -> Response:
        if not _client_ok(sb, request):
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        if failure := await sb.faults.apply("kiosk"):
            return JSONResponse({"error": "unavailable"}, status_code=failure)
        person = sb.store.persons.get(str(body.get("id_number", "")).upper())
        card_ok = person is not None and secrets.compare_digest(
            str(body.get("card_serial", "")), card_serial(person.id_number)
        )
        if person is None or not card_ok or _age(person.birth_date) < 18:
            return JSONResponse({"match": False, "error": "card_invalid"})
        if not secrets.compare_digest(str(body.get("face", "")), face_of(person.id_number)):
            return JSONResponse({"match": False, "error": "face_mismatch"})
        return JSONResponse(
            {
                "match": True,
                "id_number": person.id_number,
                "name": person.name,
                "phone": phone_of(person.id_number),
                "acr": KIOSK_ACR,
            }
        )

    @app.get("/_sandbox/kiosk/reader/{id_number}")
    async def reader(id_number: str) -> Response:
        """What a terminal's card reader and camera give when this person is in front of it."""
        person = sb.store.persons.get(id_number.upper())
        if person is None:
            return JSONResponse({"error": "no_card"}, status_code=404)
        return JSONResponse(
            {
                "id_number": person.id_number,
                "name": person.name,
                "card_serial": card_serial(person.id_number),
                "face": face_of(person.id_number),
            }
        )


KIOSK_ACR = "urn:jszwfw:loa:realname:idcard-face"


def card_serial(id_number: str) -> str:
    return sm3_hex(f"card:{id_number}".encode())[:16]


def face_of(id_number: str) -> str:
    """The sandbox's stand-in for a live face capture that matches the card's photo."""
    return sm3_hex(f"face:{id_number}".encode())[:32]


def _checked_redirect(sb: Sandbox, request: Request, query: str) -> str:
    """The redirect URI of an authorization request once Authlib checked it (or OAuth2Error)."""
    req = oauth2_request(request, query_payload(query))
    return str(sb.idp.get_consent_grant(req).redirect_uri)


def _check_authorize(sb: Sandbox, request: Request, query: str) -> str | None:
    try:
        _checked_redirect(sb, request, query)
    except OAuth2Error as exc:
        return f"{exc.error}: {exc.description or ''}"
    return None


def _code_page(
    sb: Sandbox, request: Request, ctx: dict[str, Any], status_code: int = 200
) -> Response:
    """The code page, whose form is answered with a redirect to the relying party: its policy
    names that party's (checked) redirect URI, as the city's consent page does."""
    page = TEMPLATES.TemplateResponse(request, "idp_code.html", ctx, status_code=status_code)
    try:
        redirect_uri = _checked_redirect(sb, request, ctx["query"])
    except OAuth2Error:
        return page  # 'self' only: the answer will be an error page of ours
    page.headers["content-security-policy"] = csp_leading_to(redirect_uri)
    return page


def _client_ok(sb: Sandbox, request: Request) -> bool:
    auth = request.headers.get("authorization", "")
    if not auth.startswith("Basic "):
        return False
    client_id, _, secret = base64.b64decode(auth[6:]).decode().partition(":")
    client = sb.idp.query_client(client_id)
    return client is not None and client.check_client_secret(secret)


def _mask_phone(phone: str) -> str:
    return phone[:3] + "****" + phone[-4:]


def _age(born: dt.date) -> int:
    today = dt.date.today()
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _exchange_routes(app: FastAPI, sb: Sandbox) -> None:
    async def answer(request: Request, route: Route) -> Response:
        started = time.perf_counter()
        raw = await request.body()
        entry: dict[str, Any] = {
            "at": dt.datetime.now(dt.UTC).isoformat(),
            "service": route.code,
            "request_sha256_sm3": sm3_hex(raw),
        }
        status, payload = await _answer(sb, route, raw, entry)
        entry.update(status=status, latency_ms=round((time.perf_counter() - started) * 1000, 1))
        sb.record_call(entry)
        return Response(orjson.dumps(payload), status_code=status, media_type="application/json")

    @app.post("/exchange/{department}/{service}/{version}")
    async def exchange(department: str, service: str, version: str, request: Request) -> Response:
        return await answer(request, Route(department, f"{department}.{service}", version, False))

    @app.post("/exchange/{department}/{service}/{version}/batch")
    async def exchange_batch(
        department: str, service: str, version: str, request: Request
    ) -> Response:
        """Many persons' look-ups in one signed request; faults apply to the batch as a whole."""
        return await answer(request, Route(department, f"{department}.{service}", version, True))


@dataclass(frozen=True)
class Route:
    department: str
    code: str
    version: str
    batch: bool


async def _answer(sb: Sandbox, route: Route, raw: bytes, entry: dict[str, Any]) -> tuple[int, Any]:
    department, code = route.department, route.code
    handler = SERVICES.get(code)
    known = route.version == "v1" and code.startswith(f"{department}.")
    if handler is None or not known or (route.batch and code not in BATCH_SERVICES):
        return 404, {"error": "unknown_service", "message": "无此服务"}
    try:
        envelope = orjson.loads(raw)
        header, body, req_hash = verify_request(
            envelope, sb.client_keys, department, dt.datetime.now(dt.UTC)
        )
    except orjson.JSONDecodeError:
        return 400, {"error": "bad_envelope", "message": "请求报文不是JSON"}
    except EnvelopeError as exc:
        entry["refused"] = exc.code
        return exc.status, {"error": exc.code, "message": exc.message}
    entry.update(
        client_id=header["client_id"],
        request_id=header["request_id"],
        case_no=header["case_no"],
        consent_ids=[c["id"] for c in header["consents"]],
        purpose=header["purpose"],
        subjects=sorted(mask_id_number(s) for s in body_subjects(body)),
    )
    if route.batch and (refusal := _batch_refusal(body)):
        return refusal
    failure = await sb.faults.apply(department)
    if failure:
        return failure, {"error": "department_error", "message": "部门服务暂时不可用"}
    if route.batch:
        data = [_item(handler, sb.store, item) for item in body["items"]]
        data_json = canonical_json(data)
        entry.update(items=len(data), response_hash=sm3_hex(data_json))
        return 200, sign_response(req_hash, data, sb.provider_key, data_json)
    try:
        data = msgspec.to_builtins(handler(sb.store, body))
    except NoRecord:
        return 404, sign_response(req_hash, None, sb.provider_key) | {"error": "no_record"}
    except KeyError as exc:
        return 400, {"error": "bad_request", "message": f"缺少参数 {exc.args[0]}"}
    data_json = canonical_json(data)
    response = sign_response(req_hash, data, sb.provider_key, data_json)
    entry["response_hash"] = sm3_hex(data_json)
    return 200, response


def _batch_refusal(body: dict[str, Any]) -> tuple[int, Any] | None:
    items = body.get("items")
    if not isinstance(items, list) or not items or not all(isinstance(i, dict) for i in items):
        return 400, {"error": "bad_request", "message": "批量请求应包含 items 列表"}
    if len(items) > MAX_BATCH_ITEMS:
        return 413, {"error": "batch_too_large", "message": f"每批最多 {MAX_BATCH_ITEMS} 项"}
    return None


def _item(handler: Handler, store: Store, body: dict[str, Any]) -> dict[str, Any]:
    """One item of a batch: its data, or that the department has no record, or what was wrong."""
    try:
        return {"data": msgspec.to_builtins(handler(store, body))}
    except NoRecord:
        return {"no_record": True}
    except KeyError as exc:
        return {"error": "bad_request", "message": f"缺少参数 {exc.args[0]}"}


def _admin_routes(app: FastAPI, sb: Sandbox) -> None:
    @app.get("/", response_class=HTMLResponse)
    async def home(request: Request) -> Response:
        accounts = await accounts_list()
        counts = summary(sb.store.data)
        ctx = {
            "accounts": accounts,
            "counts": counts,
            "faults": sb.faults.by_department,
            "sms": list(sb.sms.messages)[:20],
            "calls": list(sb.calls)[:30],
        }
        return TEMPLATES.TemplateResponse(request, "home.html", ctx)

    @app.get("/_sandbox/faults")
    async def faults() -> dict[str, Any]:
        return {k: v.model_dump() for k, v in sb.faults.by_department.items()}

    @app.put("/_sandbox/faults/{department}")
    async def set_fault(department: str, fault: Fault) -> dict[str, Any]:
        sb.faults.set(department, fault)
        log.info("fault set", department=department, **fault.model_dump())
        return fault.model_dump()

    @app.delete("/_sandbox/faults")
    async def clear_faults() -> dict[str, str]:
        sb.faults.clear()
        return {"status": "cleared"}

    @app.get("/_sandbox/sms")
    async def sms(phone: str = "") -> list[dict[str, Any]]:
        return sb.sms.to(phone)

    @app.post("/_sandbox/sms")
    async def send_sms(
        message: dict[str, str], key: Annotated[str | None, Header(alias="Idempotency-Key")] = None
    ) -> Response:
        """The SMS gateway; a repeated ``Idempotency-Key`` gets the first answer again."""
        try:
            answer, repeated = sb.sms.send(message["phone"], message["text"], key)
        except KeyReused:
            error = {"error": "key_reused", "message": "Idempotency-Key 已用于另一条短信"}
            return JSONResponse(error, status_code=422)
        headers = {"Idempotent-Replayed": "true"} if repeated else {}
        return JSONResponse(answer, headers=headers)

    @app.get("/_sandbox/calls")
    async def calls(limit: int = 200) -> list[dict[str, Any]]:
        return list(sb.calls)[:limit]

    @app.get("/_sandbox/accounts")
    async def accounts_list(limit: int = 12) -> list[dict[str, str]]:
        return [
            {"id_number": p.id_number, "name": p.name, "phone": phone_of(p.id_number)}
            for p in sb.store.adults(limit)
        ]

    @app.get("/_sandbox/health")
    async def health() -> dict[str, Any]:
        return {"status": "ok", "persons": len(sb.store.persons)}


BEIJING = dt.timezone(dt.timedelta(hours=8))


def _hotline_routes(app: FastAPI, sb: Sandbox) -> None:
    """12345's side of the bad-rating hand-off (Jiangsu routes every 差评 to 12345 as a work
    order): accepts an order once per source number and acknowledges it with its own number."""
    orders: dict[str, dict[str, Any]] = {}

    @app.post("/_sandbox/12345/workorders")
    async def accept(order: dict[str, Any]) -> Response:
        source = str(order.get("sourceOrderNo") or "")
        if not source or not order.get("handleDeadline"):
            return JSONResponse({"code": "4001", "message": "工单要素不全"}, status_code=400)
        if source not in orders:
            day = sb.clock().astimezone(BEIJING)  # the app's clock, as the order's dates
            number = f"JS12345-{day:%Y%m%d}-{len(orders) + 1:06d}"
            orders[source] = {**order, "orderNo": number}
        return JSONResponse(
            {
                "code": "0000",
                "message": "受理成功",
                "orderNo": orders[source]["orderNo"],
                "sourceOrderNo": source,
            }
        )

    @app.get("/_sandbox/12345/workorders")
    async def listed() -> list[dict[str, Any]]:
        return list(orders.values())
