"""Staff API: a school's desk looks a licence up by number (the holder's consent recorded), and an
admin revokes a notice (撤销学位告知书)."""

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from ruxue.elicence import service
from ruxue.kit.errors import RuxueError
from ruxue.kit.sealkeys import published
from ruxue.staff.service import audit
from ruxue.web.auth import CurrentStaff
from ruxue.web.deps import DatabaseDep, ExchangeDep, NowDep, SettingsDep

router = APIRouter(prefix="/api/v1/staff", tags=["staff"])
keys_router = APIRouter(tags=["public"])


@keys_router.get("/.well-known/seal-keys.json")
async def seal_keys(settings: SettingsDep) -> dict[str, object]:
    """The seal's public keys by key id, with their rotation (valid from, retired at): what a
    licence's signature is checked against."""
    return {
        "issuer": settings.public_url,
        "keys": published(settings.seal_key_file, settings.clock()),
    }


class Lookup(BaseModel):
    licence_no: str = Field(min_length=1, max_length=40)
    consent: bool = Field(description="the holder agreed, at the desk, to this lookup")
    consent_note: str = Field(default="", max_length=200, description="how consent was given")


class Revoke(BaseModel):
    reason: str = Field(max_length=500)


@router.post("/licences/lookup")
async def lookup(
    db: DatabaseDep,
    exchange: ExchangeDep,
    settings: SettingsDep,
    body: Lookup,
    request: Request,
    staff: CurrentStaff,
) -> dict[str, object]:
    if not body.consent:
        raise RuxueError("请先取得持证人同意，再查询电子证照", field="consent")
    keys = published(settings.seal_key_file, settings.clock())
    found = await service.lookup(exchange, staff, body.licence_no.strip(), keys)
    async with db.write_session() as session:
        await audit(
            session,
            staff,
            "licence_lookup",
            target=body.licence_no.strip(),
            consent="持证人现场同意",
            consent_note=body.consent_note.strip(),
            status=found["status"],
        )
    return found


@router.post("/cases/{case_no}/revoke-notice")
async def revoke_notice(
    db: DatabaseDep,
    now: NowDep,
    case_no: str,
    body: Revoke,
    request: Request,
    staff: CurrentStaff,
) -> dict[str, object]:
    async with db.write_session() as session:
        case = await service.revoke_notice(session, staff, now, case_no, body.reason)
        result: dict[str, object] = {"case_no": case.case_no, "status": case.status}
    return result
