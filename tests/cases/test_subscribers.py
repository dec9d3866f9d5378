"""The lifecycle hands every move to its subscribers in the move's own transaction: a rollback
leaves nothing of either; the wiring registers each subscriber once, the county's only in county
mode; the family's SMS for a decision and for a revocation come from one place."""

import datetime as dt

import pytest
from sqlalchemy import select

from ruxue.cases import lifecycle
from ruxue.cases.lifecycle import TraceEvent, Transition
from ruxue.cases.models import Case
from ruxue.cases.status import Action, Status
from ruxue.kit.db import Database
from ruxue.kit.errors import Conflict
from ruxue.notify.models import Notification
from ruxue.policy.rules import Decision
from ruxue.settings import Settings
from ruxue.wiring import wire

NOW = dt.datetime(2026, 6, 15, 2, tzinfo=dt.UTC)


def a_case(no: str = "RX2026P0000000001") -> Case:
    return Case(
        case_no=no,
        year=2026,
        segment="primary",
        channel="online",
        step=7,
        district_code="320508",
        guardian_index=f"g-{no}",
        guardian_enc="",
        child_index=f"c-{no}",
        child_enc="",
        child_name_masked="王*",
    )


async def texts(db: Database) -> list[str]:
    async with db.read_session() as session:
        return list(await session.scalars(select(Notification.text).order_by(Notification.id)))


def test_wiring_registers_each_subscriber_once_and_the_county_only_in_county_mode(
    settings: Settings,
) -> None:
    wire(settings)
    wire(settings)
    # e-licence, the rejection letter, archive, SMS, the cohort's entries
    assert len(lifecycle.subscribers()) == 5
    wire(settings.model_copy(update={"upstream_url": "http://127.0.0.1:9"}))
    assert len(lifecycle.subscribers()) == 6
    wire(settings)
    assert len(lifecycle.subscribers()) == 5


async def test_subscribers_see_each_move_in_its_transaction(db: Database) -> None:
    seen: list[Transition] = []

    async def record(session: object, transition: Transition) -> None:
        seen.append(transition)

    lifecycle.subscribe(record)
    with pytest.raises(RuntimeError):
        async with db.write_session() as session:
            case = a_case()
            session.add(case)
            await lifecycle.start(session, case, NOW, TraceEvent("guardian:x", "consent"))
            raise RuntimeError("rolled back")
    assert await texts(db) == []
    async with db.write_session() as session:
        case = a_case()
        session.add(case)
        await lifecycle.start(session, case, NOW, TraceEvent("guardian:x", "consent"))
        decision = Decision(outcome=Status.MANUAL_REVIEW, reasons=["NO_CATCHMENT"])
        await lifecycle.decide(session, case, decision, NOW, TraceEvent("guardian:x", "submit"))
        with pytest.raises(Conflict):
            await lifecycle.revoke(session, case, "staff:admin", NOW, "x")  # no notice to revoke
    moves = [(t.action, t.previous, t.current, t.events) for t in seen[-2:]]
    assert moves[-1] == (
        Action.DECIDE,
        Status.DRAFT,
        Status.MANUAL_REVIEW,
        ("submit", "decide"),
    )
    assert len(await texts(db)) == 1  # the decision's SMS, with the move


async def test_the_family_is_told_of_a_decision_and_of_a_revocation(db: Database) -> None:
    async with db.write_session() as session:
        case = a_case("RX2026P0000000002")
        session.add(case)
        await lifecycle.start(session, case, NOW)
        await lifecycle.decide(session, case, Decision(outcome=Status.NOTICE_ISSUED), NOW)
        await lifecycle.revoke(session, case, "staff:admin", NOW, "核实")
    decided, revoked = await texts(db)
    assert "学位告知书已发放" in decided and "评价" in decided
    assert "学位告知书已撤销" in revoked


async def test_a_desk_registration_gets_the_desk_text_not_the_status_sms(db: Database) -> None:
    async with db.write_session() as session:
        case = a_case("RX2026P0000000003")
        session.add(case)
        desk = TraceEvent("staff:desk", "desk_consent")
        await lifecycle.decide(session, case, Decision(outcome=Status.MANUAL_REVIEW), NOW, desk)
    assert await texts(db) == []
