"""Back-channel logouts are durable: written with the logout, sent after the commit; a county that
is down hears of the logout once it is up again; after the last try the logout is a dead letter
the administrator sees on /staff/county and can send again."""

import datetime as dt

from joserfc import jwt
from joserfc.jwk import KeySet
from sqlalchemy import select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ruxue.kit import pii
from ruxue.kit.clock import utcnow
from ruxue.kit.db import Database
from ruxue.provider import keys, logouts, service
from ruxue.provider.models import CountySession, LogoutDelivery
from ruxue.settings import Settings
from tests.support.county import register
from tests.support.helpers import ServerThread, free_port
from tests.support.provider import Receiver
from tests.support.staff import make_staff, staff_client


async def log_out(db: Database, port: int, sids: list[str]) -> None:
    """Two city sessions of one person held a county session each; the person logs out."""
    await register(
        db, "kunshan", "320583", backchannel_logout_uri=f"http://127.0.0.1:{port}/backchannel"
    )
    async with db.write_session() as session:
        for sid in sids:
            session.add(CountySession(sid=sid, subject="person-1", client_id="kunshan"))
    async with db.write_session() as session:
        assert await service.end_sessions(session, "person-1") == len(sids)


async def test_a_county_down_at_logout_hears_of_it_once_it_is_up(
    db: Database, settings: Settings
) -> None:
    quick = settings.model_copy(update={"backchannel_backoff_s": 0})
    port = free_port()  # nobody listens yet
    await log_out(db, port, ["sid-a", "sid-b"])
    down = await logouts.deliver(db, quick)
    assert (down.sent, down.failed, down.dead) == (0, 2, 0)
    kept = Receiver()
    with ServerThread(kept.app(), port):
        up = await logouts.deliver(db, quick)
        again = await logouts.deliver(db, quick)
    assert (up.sent, again.sent) == (2, 0)
    key_set = KeySet.import_key_set(keys.published(settings.var_dir))  # type: ignore[arg-type]
    claims = [jwt.decode(t, key_set).claims for t in kept.tokens]
    assert sorted(c["sid"] for c in claims) == ["sid-a", "sid-b"]
    assert {(c["sub"], c["aud"], c["iss"]) for c in claims} == {
        (pii.pairwise_subject("kunshan", "person-1"), "kunshan", settings.public_url + "/oidc")
    }
    async with db.read_session() as session:
        rows = (await session.scalars(select(LogoutDelivery))).all()
    assert [(r.attempts, r.sent_at is not None) for r in rows] == [(2, True), (2, True)]
    assert await logouts.prune(db) == 0  # delivered just now: kept a while
    async with db.write_session() as session:
        for row in (await session.scalars(select(LogoutDelivery))).all():
            row.sent_at = utcnow() - logouts.KEEP_SENT - dt.timedelta(minutes=1)
    assert await logouts.prune(db) == 2


async def test_a_retry_waits_for_its_backoff(db: Database, settings: Settings) -> None:
    await log_out(db, free_port(), ["sid-a"])
    slow = settings.model_copy(update={"backchannel_backoff_s": 3600})
    assert (await logouts.deliver(db, slow)).failed == 1
    assert (await logouts.deliver(db, slow)).failed == 0  # not due yet: nothing was tried


async def test_the_last_try_is_a_dead_letter_the_administrator_can_send_again(
    web: ServerThread, db: Database, settings: Settings
) -> None:
    strict = settings.model_copy(update={"backchannel_backoff_s": 0, "backchannel_max_attempts": 2})
    port = free_port()
    await log_out(db, port, ["sid-a"])
    assert (await logouts.deliver(db, strict)).failed == 1
    assert (await logouts.deliver(db, strict)).dead == 1
    assert (await logouts.deliver(db, strict)).failed == 0  # dead: no more tries
    admin = await staff_client(web, "city", await make_staff(db, "city", "admin"))
    page = await admin.get("/staff/county")
    assert '<b id="logouts-dead">1</b>' in page.text and "kunshan" in page.text
    async with db.read_session() as session:
        row = (await session.scalars(select(LogoutDelivery))).one()
    kept = Receiver()
    with ServerThread(kept.app(), port):
        retried = await admin.post(f"/staff/county/logouts/{row.id}/retry")
        assert retried.status_code == 303
        assert (await logouts.deliver(db, strict)).sent == 1
    assert len(kept.tokens) == 1
    assert '<b id="logouts-dead">0</b>' in (await admin.get("/staff/county")).text
    await admin.aclose()


async def test_a_county_answering_204_has_heard_of_the_logout(
    db: Database, settings: Settings
) -> None:
    """Back-Channel Logout §2.8: 200 or 204 is success; it is not sent again."""
    port = free_port()
    await log_out(db, port, ["sid-a"])
    heard: list[str] = []

    async def no_content(request: Request) -> Response:
        heard.append(str((await request.form())["logout_token"]))
        return Response(status_code=204)

    app = Starlette(routes=[Route("/backchannel", no_content, methods=["POST"])])
    with ServerThread(app, port):
        first = await logouts.deliver(db, settings)
        again = await logouts.deliver(db, settings.model_copy(update={"backchannel_backoff_s": 0}))
    assert (first.sent, first.failed, again.sent, again.failed) == (1, 0, 0, 0)
    assert len(heard) == 1
