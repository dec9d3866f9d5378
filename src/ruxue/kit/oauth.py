"""The OAuth 2.0 / OpenID Connect request glue that Authlib leaves to the web framework (it ships
glue for Flask and Django only), shared by the county-facing provider and the sandbox's provincial
login: requests over already-read parameters, PKCE with S256 only, the subject of a person."""

from typing import Any, ClassVar
from urllib.parse import parse_qsl

from authlib.oauth2.rfc6749 import InvalidRequestError, OAuth2Request
from authlib.oauth2.rfc6749.requests import BasicOAuth2Payload
from authlib.oauth2.rfc7636 import CodeChallenge
from starlette.requests import Request

from ruxue.kit.crypto import sm3_hex


class S256Only(CodeChallenge):
    """PKCE for every client, confidential ones too, and only with S256."""

    SUPPORTED_CODE_CHALLENGE_METHOD: ClassVar[list[str]] = ["S256"]
    DEFAULT_CODE_CHALLENGE_METHOD = "S256"

    def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
        if not grant.request.payload.data.get("code_challenge"):
            raise InvalidRequestError("PKCE (code_challenge, S256) is required")
        super().validate_code_challenge(grant, redirect_uri)


def subject(issuer: str, id_number: str) -> str:
    """A stable pairwise subject: the ID number itself never is the ``sub``."""
    return sm3_hex(f"{issuer}|{id_number}".encode())[:32]


class FormRequest(OAuth2Request):
    """An OAuth2Request over already-read parameters (Authlib reads ``form``/``args`` directly)."""

    def __init__(self, method: str, uri: str, headers: Any, params: dict[str, str]) -> None:
        super().__init__(method, uri, headers=headers)
        self.payload = BasicOAuth2Payload(params)
        self._params = params

    @property
    def args(self) -> dict[str, str]:
        return self._params if self.method == "GET" else {}

    @property
    def form(self) -> dict[str, str]:
        return self._params if self.method == "POST" else {}


def oauth2_request(
    request: Request, payload: dict[str, str], uri: str | None = None
) -> OAuth2Request:
    return FormRequest(request.method, uri or str(request.url), request.headers, payload)


def query_payload(query: str) -> dict[str, str]:
    return dict(parse_qsl(query, keep_blank_values=True))
