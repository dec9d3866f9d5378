"""Typed dependencies of the route handlers: the signature says what a route needs.

The composition root (``web/app.py``) puts the process's plumbing on ``app.state``; this module is
the only other place that reads it. Every dependency here is cheap: attribute reads, the session
(no database round trip), and for staff the one row re-read that signing in has always cost.
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
    settings: Settings = request.app.state.settings
    return settings


def database_of(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def exchange_of(request: Request) -> ExchangeClient:
    client: ExchangeClient = request.app.state.exchange
    return client


def library_of(request: Request) -> Library:
    library: Library = request.app.state.library
    return library


def oauth_of(request: Request) -> OAuth:
    oauth: OAuth = request.app.state.oauth
    return oauth


# FastAPI runs a plain ``def`` dependency in its thread pool: a thread hop (0.2 ms of CPU,
# measured) to read an attribute. The dependencies are coroutines; the readers above stay plain
# for the code that calls them directly (pages, the kiosk).
async def _settings(request: Request) -> Settings:
    return settings_of(request)


async def _database(request: Request) -> Database:
    return database_of(request)


async def _exchange(request: Request) -> ExchangeClient:
    return exchange_of(request)


async def _library(request: Request) -> Library:
    return library_of(request)


async def _oauth(request: Request) -> OAuth:
    return oauth_of(request)


SettingsDep = Annotated[Settings, Depends(_settings)]
DatabaseDep = Annotated[Database, Depends(_database)]
ExchangeDep = Annotated[ExchangeClient, Depends(_exchange)]
LibraryDep = Annotated[Library, Depends(_library)]
OAuthDep = Annotated[OAuth, Depends(_oauth)]


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
