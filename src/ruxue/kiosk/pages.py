"""The terminal's screens before the steps: activation, welcome, card read, face check, the end."""

import httpx
from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from ruxue.enrollment import repository as repo
from ruxue.kiosk import service
from ruxue.kiosk.identity import CardRead, card_face
from ruxue.kiosk.models import Terminal
from ruxue.kiosk.session import COOKIE, AtTerminal, at_terminal, sign_in, terminal
from ruxue.kiosk.views import render, to
from ruxue.kit.errors import RuxueError
from ruxue.person.rules import mask_id_number, mask_name
from ruxue.web.deps import DatabaseDep, NowDep, SettingsDep
from ruxue.web.mode import ELDER_COOKIE

router = APIRouter(prefix="/kiosk", include_in_schema=False)
YEAR_COOKIE = 365 * 24 * 3600


@router.get("/activate", response_class=HTMLResponse)
async def activate_form(request: Request) -> Response:
    return render(request, "kiosk_activate.html", None)


@router.post("/activate", response_class=HTMLResponse)
async def activate(
    request: Request,
    db: DatabaseDep,
    settings: SettingsDep,
    code: str = Form(""),
    key: str = Form(""),
) -> Response:
    """Done once by the maintainer: the terminal's browser keeps its credential in a cookie."""
    credential = f"{code.strip()}:{key.strip()}"
    async with db.read_session() as session:
        found = await service.terminal_of(session, credential)
    if found is None:
        return render(
            request, "kiosk_activate.html", None, status_code=400, error="终端编号或密钥不正确"
        )
    response = to("/kiosk")
    secure = settings.public_url.startswith("https")
    response.set_cookie(
        COOKIE,
        credential,
        max_age=YEAR_COOKIE,
        httponly=True,
        samesite="strict",
        secure=secure,
        path="/",
    )
    return response


@router.get("", response_class=HTMLResponse)
async def welcome(
    request: Request,
    settings: SettingsDep,
    here: Terminal = Depends(terminal),
) -> Response:
    someone_left = bool(request.session.get("kiosk"))
    request.session.clear()  # the welcome screen is the wiped screen
    simulated = settings.mode != "production"
    page = render(request, "kiosk_welcome.html", here, simulated=simulated)
    if someone_left:  # the next person starts in the standard layout
        page.delete_cookie(ELDER_COOKIE)
    return page


@router.post("/reader", response_class=HTMLResponse)
async def simulated_reader(
    request: Request,
    settings: SettingsDep,
    id_number: str = Form(""),
    here: Terminal = Depends(terminal),
) -> Response:
    """Sandbox only: the terminal's reader and camera, played by the sandbox. In production the
    reader's driver fills the same card screen."""
    if settings.mode == "production":
        return to("/kiosk")
    base = settings.idp_url.rstrip("/").removesuffix("/idp")
    async with httpx.AsyncClient(timeout=10) as http:
        answer = await http.get(f"{base}/_sandbox/kiosk/reader/{id_number.strip().upper()}")
    if answer.status_code != 200:
        return render(
            request,
            "kiosk_welcome.html",
            here,
            status_code=400,
            simulated=True,
            error="未读到身份证，请将身份证平放在读卡区。",
        )
    read = answer.json()
    shown = {"name": mask_name(read["name"]), "id": mask_id_number(read["id_number"])}
    return render(request, "kiosk_card.html", here, read=read, shown=shown)


@router.post("/login", response_class=HTMLResponse)
async def login(
    request: Request,
    settings: SettingsDep,
    id_number: str = Form(""),
    name: str = Form(""),
    card_serial: str = Form(""),
    face: str = Form(""),
    here: Terminal = Depends(terminal),
) -> Response:
    read = CardRead(id_number.strip().upper(), name.strip(), card_serial.strip(), face.strip())
    try:
        guardian = await card_face(settings, read)
    except RuxueError as exc:
        return render(
            request,
            "kiosk_welcome.html",
            here,
            status_code=exc.status_code,
            simulated=settings.mode != "production",
            error=exc.message,
        )
    sign_in(request, here, guardian)
    return to("/kiosk/home")


@router.post("/end", response_class=HTMLResponse)
async def end(request: Request) -> Response:
    """The 退出 button and the idle timeout: nothing of the family stays in the session, and the
    next person starts in the standard layout (长辈版 is a choice of this person, not the screen)."""
    request.session.clear()
    response = to("/kiosk")
    response.delete_cookie(ELDER_COOKIE)
    return response


@router.get("/home", response_class=HTMLResponse)
async def home(
    request: Request,
    db: DatabaseDep,
    now: NowDep,
    at: AtTerminal = Depends(at_terminal),
) -> Response:
    async with db.read_session() as session:
        cases = await repo.cases_of(session, at.guardian.id_number)
    year = now.year
    return render(
        request,
        "kiosk_home.html",
        at.terminal,
        step=1,
        cases=cases,
        year=year,
        guardian_name=mask_name(at.guardian.name),
    )
