"""ASGI entry point: ``uvicorn ruxue.web.main:app``."""

from ruxue.web.app import create_app

app = create_app()
