"""Rating API: the guardian rates a decided case; staff work rectification items; the city
decides appeals."""

from fastapi import APIRouter, Request

from ruxue.cases.models import Case
from ruxue.enrollment import repository as cases
from ruxue.enrollment.service import actor
from ruxue.kit.errors import NotFound
from ruxue.rating import repository as repo
from ruxue.rating import service
from ruxue.rating.schemas import AppealDecision, RatingIn, Step, item_out, rating_out
from ruxue.web.auth import CurrentGuardian, CurrentStaff
from ruxue.web.deps import DatabaseDep, SettingsDep

router = APIRouter(prefix="/api/v1", tags=["rating"])


@router.post("/cases/{case_no}/rating")
async def rate(
    db: DatabaseDep,
    case_no: str,
    body: RatingIn,
    request: Request,
    guardian: CurrentGuardian,
    item: int | None = None,
) -> dict[str, object]:
    """The case's online rating; with ``item``, the re-rating of the rating that item answers."""
    form = service.RatingForm(body.level, body.indicators, body.comment, body.real_name)
    async with db.write_session() as session:
        mine = cases.visible_cases(guardian.id_number).where(Case.case_no == case_no)
        found = await repo.with_decided_at(session, mine)
        if found is None:
            raise NotFound("没有找到该办件")
        case, decided_at = found
        channel = "online" if item is None else await service.channel_of_item(session, case, item)
        rating, answered = await service.rate_answered(
            session, case, decided_at, channel, form, actor(guardian)
        )
        out = {**rating_out(rating), "rectification": item_out(answered) if answered else None}
    return out


@router.get("/ratings/items")
async def items(
    request: Request,
    db: DatabaseDep,
    staff: CurrentStaff,
) -> list[dict[str, object]]:
    async with db.read_session() as session:
        return [item_out(i) for i in await repo.items_for(session, staff)]


@router.post("/ratings/items/{item_id}/{step}")
async def advance(
    db: DatabaseDep,
    settings: SettingsDep,
    item_id: int,
    step: str,
    body: Step,
    request: Request,
    staff: CurrentStaff,
) -> dict[str, object]:
    async with db.write_session() as session:
        if step == "appeal":
            item = await service.appeal(session, staff, item_id, body.note)
        elif step in service.STEPS:
            item = await service.advance(
                session, staff, item_id, step, body.note, settings.public_url
            )
        else:
            raise NotFound("没有这个处理步骤")
        out = item_out(item)
    return out


@router.post("/ratings/items/{item_id}/appeal/decision")
async def decide_appeal(
    db: DatabaseDep,
    item_id: int,
    body: AppealDecision,
    request: Request,
    staff: CurrentStaff,
) -> dict[str, object]:
    async with db.write_session() as session:
        item = await service.decide_appeal(session, staff, item_id, body.set_aside, body.note)
        out = item_out(item)
    return out
