"""The city's case-report API for county systems (token, one report, a batch), the one city
picture, the registration of clients; and on a county, its outbox for the administrator."""

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Form, Header

from ruxue.county import auth, jwks, relay, service
from ruxue.county.dead_letters import send_again
from ruxue.county.schemas import (
    Batch,
    CityPicture,
    ClientOut,
    NewClient,
    OutboxState,
    Receipt,
    StageIn,
    TokenOut,
)
from ruxue.staff.auth import require
from ruxue.staff.service import audit
from ruxue.web.auth import CurrentStaff
from ruxue.web.deps import DatabaseDep, SettingsDep

router = APIRouter(prefix="/api/v1/county", tags=["county"])
TOKEN_PATH = "/api/v1/county/token"


@router.post(TOKEN_PATH.removeprefix("/api/v1/county"))
async def token(
    db: DatabaseDep,
    settings: SettingsDep,
    grant_type: Annotated[str, Form()],
    client_id: Annotated[str, Form()] = "",
    client_secret: Annotated[str, Form()] = "",
    client_assertion_type: Annotated[str, Form()] = "",
    client_assertion: Annotated[str, Form()] = "",
    authorization: Annotated[str, Header()] = "",
) -> TokenOut:
    """Client credentials grant: an access token for the case-report API (10 minutes)."""
    form = {
        "grant_type": grant_type,
        "client_id": client_id,
        "client_secret": client_secret,
        "client_assertion_type": client_assertion_type,
        "client_assertion": client_assertion,
    }
    fetched = await jwks.assertion_keys(db, form)  # before the transaction
    async with db.write_session() as session:
        auth.check_grant(form)
        client = await auth.authenticate(
            session, form, authorization, settings.public_url.rstrip("/") + TOKEN_PATH, fetched
        )
        await auth.prune_tokens(session)
        access, ttl = await auth.issue(session, client)
    return TokenOut(access_token=access, token_type="Bearer", expires_in=ttl)


@router.post("/reports")
async def report_batch(
    body: Batch, db: DatabaseDep, authorization: Annotated[str, Header()] = ""
) -> Receipt:
    """A batch of stage reports (up to 500), upserted on (case number, stage)."""
    async with db.write_session() as session:
        client = await auth.client_of_token(session, authorization)
        return await service.receive(session, db, client, body.reports)


@router.post("/report")
async def report_one(
    body: StageIn, db: DatabaseDep, authorization: Annotated[str, Header()] = ""
) -> Receipt:
    """One stage report, upserted on (case number, stage)."""
    async with db.write_session() as session:
        client = await auth.client_of_token(session, authorization)
        return await service.receive(session, db, client, [body])


@router.get("/picture")
async def city_picture(
    db: DatabaseDep,
    settings: SettingsDep,
    staff: CurrentStaff,
) -> CityPicture:
    """Cases per district and stage, the city's own and the counties' reported ones; counties
    silent for longer than ``RUXUE_COUNTY_SILENCE_MINUTES`` are flagged."""
    require(staff, "admin")
    async with db.read_session() as session:
        return await service.picture(session, dt.timedelta(minutes=settings.county_silence_minutes))


@router.post("/clients", status_code=201)
async def add_client(
    body: NewClient,
    db: DatabaseDep,
    staff: CurrentStaff,
) -> ClientOut:
    """Register a county system (the secret is shown once)."""
    require(staff, "admin")
    async with db.write_session() as session:
        secret = await service.add_client(session, body)
        await audit(session, staff, "county_client_add", target=body.client_id)
    return ClientOut(client_id=body.client_id, client_secret=secret)


@router.get("/outbox")
async def outbox(
    db: DatabaseDep,
    staff: CurrentStaff,
) -> OutboxState:
    """On a county system: stages pending, sent, and the dead letters after too many attempts."""
    require(staff, "admin")
    async with db.read_session() as session:
        return await relay.state(session)


@router.post("/outbox/{row_id}/retry")
async def retry(
    row_id: int,
    db: DatabaseDep,
    staff: CurrentStaff,
) -> OutboxState:
    """Send a dead letter again (its attempts start over)."""
    async with db.write_session() as session:
        await send_again(session, staff, "outbox", row_id)
    async with db.read_session() as session:
        return await relay.state(session)
