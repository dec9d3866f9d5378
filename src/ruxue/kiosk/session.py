"""Who is at the terminal: the terminal (its cookie, set once at activation) and, after the card and
face login, the guardian, on a session the idle timeout wipes."""

import datetime as dt
from dataclasses import dataclass

from fastapi import Depends, Request

from ruxue.identity.service import Guardian, optional_guardian
from ruxue.kiosk.models import Terminal
from ruxue.kiosk.service import terminal_of
from ruxue.kit import pii
from ruxue.kit.clock import utcnow
from ruxue.kit.sessions import rotate
from ruxue.settings import Settings
from ruxue.web.deps import DatabaseDep, SettingsDep

COOKIE = "ruxue_kiosk"


class NotActivated(Exception):
    """This browser is not a terminal: the app sends it to the activation page."""


class KioskSignedOut(Exception):
    """No one is signed in at the terminal (or the idle timeout ended it): back to the welcome."""


@dataclass(frozen=True)
class AtTerminal:
    terminal: Terminal
    guardian: Guardian


async def terminal(request: Request, db: DatabaseDep) -> Terminal:
    credential = request.cookies.get(COOKIE, "")
    async with db.read_session() as session:
        found = await terminal_of(session, credential) if credential else None
    if found is None:
        raise NotActivated
    return found


WAITING = "kiosk_waiting"  # the screen waits for the spouse's consent: a longer idle time


def idle_seconds(request: Request, settings: Settings) -> int:
    """How long the screen may stay untouched: longer while it waits for the spouse, who has to
    open the SMS link and log in with an SMS code of their own."""
    waiting = "session" in request.scope and request.session.get(WAITING)
    return settings.kiosk_spouse_wait_seconds if waiting else settings.kiosk_idle_seconds


def idle_over(request: Request, now: dt.datetime, idle_seconds: int) -> bool:
    seen = request.session.get("kiosk_seen")
    limit = dt.timedelta(seconds=idle_seconds)
    return seen is not None and now - dt.datetime.fromisoformat(seen) > limit


async def at_terminal(
    request: Request, settings: SettingsDep, here: Terminal = Depends(terminal)
) -> AtTerminal:
    """The terminal and its signed-in guardian; an idle or foreign session is wiped."""
    now = utcnow()  # the wall clock: the demo clock of the registration stays put
    guardian = optional_guardian(request)
    idle = idle_over(request, now, idle_seconds(request, settings))
    if guardian is None or request.session.get("kiosk") != here.code or idle:
        request.session.clear()
        raise KioskSignedOut
    request.session["kiosk_seen"] = now.isoformat()
    request.session.pop(WAITING, None)  # the waiting screen sets it again
    return AtTerminal(here, guardian)


def sign_in(request: Request, here: Terminal, guardian: Guardian) -> None:
    rotate(request.scope)
    request.session.clear()
    request.session["guardian"] = {
        "id": pii.encrypt(guardian.id_number),
        "name": guardian.name,
        "acr": guardian.acr,
        "phone": pii.encrypt(guardian.phone),
        "iss": f"kiosk:{here.code}",
        "sub": "",
    }
    request.session["kiosk"] = here.code
    request.session["kiosk_seen"] = utcnow().isoformat()
