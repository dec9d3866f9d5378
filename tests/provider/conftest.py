"""A county's back-channel logout endpoint (a small app over real HTTP that keeps what it got) and
a registered county client of the city's provider."""

from collections.abc import Iterator

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from tests.helpers import ServerThread


class Receiver:
    def __init__(self) -> None:
        self.tokens: list[str] = []

    async def logout(self, request: Request) -> Response:
        self.tokens.append(str((await request.form())["logout_token"]))
        return Response(status_code=200)


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, ServerThread]]:
    kept = Receiver()
    app = Starlette(routes=[Route("/backchannel", kept.logout, methods=["POST"])])
    with ServerThread(app) as server:
        yield kept, server
