"""Typed dependencies of the route handlers: the signature says what a route needs.

The composition root (``web/app.py``) puts the process's plumbing on ``app.state``; this module is
the only other place that reads it. Every dependency here is cheap: attribute reads, the session
(no database round trip), and for staff the one row re-read that signing in has always cost.

Every dependency of a route is ``async def``: FastAPI runs a plain ``def`` dependency in anyio's
thread pool, a thread hop per dependency per request (measured: ~6 % of a case view's CPU for
attribute reads). ``tests/web/test_deps.py`` fails when a sync one reaches a route.
"""

import datetime as dt
from collections.abc import AsyncIterator
from typing import Annotated

from authlib.integrations.starlette_client import OAuth
from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.archive.storage import Library
from ruxue.exchange.client import ExchangeClient
from ruxue.kit.db import Database
from ruxue.settings import Settings


def settings_of(request: Request) -> Settings:
    """The settings, for code that is not a dependency (the renderer, the kiosk's guard)."""
    settings: Settings = request.app.state.settings
    return settings


async def app_settings(request: Request) -> Settings:
    return settings_of(request)


async def database_of(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


async def exchange_of(request: Request) -> ExchangeClient:
    client: ExchangeClient = request.app.state.exchange
    return client


async def library_of(request: Request) -> Library:
    library: Library = request.app.state.library
    return library


async def oauth_of(request: Request) -> OAuth:
    oauth: OAuth = request.app.state.oauth
    return oauth


SettingsDep = Annotated[Settings, Depends(app_settings)]
DatabaseDep = Annotated[Database, Depends(database_of)]
ExchangeDep = Annotated[ExchangeClient, Depends(exchange_of)]
LibraryDep = Annotated[Library, Depends(library_of)]
OAuthDep = Annotated[OAuth, Depends(oauth_of)]


async def now_of(settings: SettingsDep) -> dt.datetime:
    """The app's clock: the fixed time of a demo or a test, otherwise the real one."""
    return settings.clock()


NowDep = Annotated[dt.datetime, Depends(now_of)]


async def write_session(db: DatabaseDep) -> AsyncIterator[AsyncSession]:
    """The request's unit of work: committed when the handler returns (before the response is
    sent), rolled back if it raises; jobs queued in it leave after the commit."""
    async with db.write_session() as session:
        yield session


async def read_session(db: DatabaseDep) -> AsyncIterator[AsyncSession]:
    async with db.read_session() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(write_session, scope="function")]
ReadSessionDep = Annotated[AsyncSession, Depends(read_session, scope="function")]
