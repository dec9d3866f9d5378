"""The site's icon: linked from every base template, and at /favicon.ico (which browsers ask for
whatever a page links) on the app and on the sandbox, so no page logs a failed request."""

import io
import re

import httpx
from PIL import Image

from tests.support.helpers import ServerThread


async def test_the_icon_is_linked_and_served(web: ServerThread, sandbox: ServerThread) -> None:
    async with httpx.AsyncClient(base_url=web.url) as client:
        for page in ("/", "/staff/login", "/kiosk/activate"):
            html = (await client.get(page)).text
            links = re.findall(r'<link rel="icon" href="([^"]+)"', html)
            assert links, page
            for href in links:
                icon = await client.get(href)
                assert icon.status_code == 200 and icon.headers["content-type"].startswith(
                    "image/"
                ), href
        ico = await client.get("/favicon.ico")
        assert Image.open(io.BytesIO(ico.content)).format == "ICO"
    async with httpx.AsyncClient(base_url=sandbox.url) as client:
        assert (await client.get("/favicon.ico")).status_code == 200
        assert '<link rel="icon"' in (await client.get("/")).text
