"""What a login keeps between its two requests (the OAuth state, the PKCE verifier, the nonce and
the page to go to after), in a cookie of the browser that started it instead of a session row:
the login then writes nothing before it succeeds and its callback reads nothing.

The cookie is sealed (SM4-GCM under the PII key, as the session rows are: neither readable nor
forgeable), expires, is sent to the callback only, and is cleared by the callback that answers
its state, whatever the outcome, so a state is spent once. A replayed callback finds no cookie, or
(with a copy of the old one) a code the provider has spent and refuses (RFC 6749 §4.1.2)."""

import json
import secrets
import time
from dataclasses import asdict, dataclass

from cryptography.exceptions import InvalidTag

from ruxue.kit import pii

COOKIE = "ruxue_login"
PATH = "/auth/callback"
TTL_S = 900  # the provider's pages and its SMS code
PURPOSE = "login-state"  # no other sealed value of ours reads as one


@dataclass(frozen=True)
class LoginState:
    state: str
    code_verifier: str
    nonce: str
    after: str = ""  # a page of this site (``rules.safe_next``), or ""
    expires: int = 0


def seal(started: LoginState) -> str:
    return pii.encrypt(json.dumps({"purpose": PURPOSE, **asdict(started)}))


def opened(value: str | None, now: float | None = None) -> LoginState | None:
    """The state sealed in ``value``; None if there is none, it was tampered with or expired."""
    if not value:
        return None
    try:
        data = json.loads(pii.decrypt(value))
        if data.pop("purpose") != PURPOSE:
            return None
        started = LoginState(**data)
    except (InvalidTag, ValueError, KeyError, TypeError, AttributeError):  # bad base64 too
        return None
    return started if started.expires > (time.time() if now is None else now) else None


def answers(started: LoginState | None, state: str | None) -> bool:
    """Whether the callback's ``state`` is the one this browser's login started with."""
    return started is not None and secrets.compare_digest(started.state, state or "")


def cookie_header(value: str, https: bool) -> str:
    """A Set-Cookie value: ``value`` for TTL_S, or the cookie cleared when ``value`` is ''."""
    age = TTL_S if value else 0
    secure = "; Secure" if https else ""
    return f"{COOKIE}={value}; Path={PATH}; Max-Age={age}; HttpOnly; SameSite=Lax{secure}"
