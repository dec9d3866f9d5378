"""JSON API of the guardian's application, for the native apps (OpenAPI at /openapi.json)."""

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import JSONResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.cases.models import Case
from ruxue.cohort.views import standing_of
from ruxue.enrollment import answer, service
from ruxue.enrollment import repository as repo
from ruxue.enrollment.schemas import (
    CaseView,
    ChooseResidence,
    MaterialAnswer,
    SpouseCode,
    SpouseConsent,
    StartCase,
)
from ruxue.enrollment.views import case_view
from ruxue.identity.repository import TooSoon
from ruxue.identity.service import verify_person_otp
from ruxue.kit.errors import NotFound, RuxueError
from ruxue.policy.facts import Facts, read_facts
from ruxue.reference.repository import school_name
from ruxue.web.auth import CurrentGuardian
from ruxue.web.deps import DatabaseDep, ExchangeDep, NowDep, SessionDep, SettingsDep

router = APIRouter(prefix="/api/v1/cases", tags=["enrollment"])


async def view(
    session: AsyncSession, public_url: str, case: Case, facts: Facts | None = None
) -> CaseView:
    """The case as the API shows it; ``facts`` when the caller has them decrypted already."""
    school = await school_name(session, case.school_code) if case.school_code else None
    found = case_view(case, read_facts(case) if facts is None else facts, public_url, school)
    standing = await standing_of(session, case)
    if standing is not None:
        found.rank, found.publish_on = standing.rank, standing.publish_on
    return found


@router.get("", response_model=list[CaseView])
async def my_cases(
    request: Request,
    settings: SettingsDep,
    db: DatabaseDep,
    guardian: CurrentGuardian,
) -> list[CaseView]:
    async with db.read_session() as session:
        return [
            await view(session, settings.public_url, c)
            for c in await repo.cases_of(session, guardian.id_number)
        ]


@router.post("", response_model=CaseView, status_code=201)
async def start(
    exchange: ExchangeDep,
    settings: SettingsDep,
    now: NowDep,
    db: DatabaseDep,
    body: StartCase,
    request: Request,
    guardian: CurrentGuardian,
) -> CaseView:
    if not body.consent:
        raise RuxueError("需要您的授权才能向各部门查询信息。")
    case = await service.start_case(db, exchange, settings, guardian,
                                    year=now.year, segment=body.segment, child_id=body.child_id_number)  # fmt: skip
    async with db.read_session() as session:
        return await view(session, settings.public_url, case)


@router.get("/{case_no}", response_model=CaseView)
async def get_case(
    settings: SettingsDep,
    db: DatabaseDep,
    case_no: str,
    request: Request,
    guardian: CurrentGuardian,
) -> CaseView:
    async with db.read_session() as session:
        case, facts = await service.load(session, guardian, case_no)
        return await view(session, settings.public_url, case, facts)


@router.post("/{case_no}/spouse/code", responses={429: {"description": "too many codes"}})
async def spouse_code(
    exchange: ExchangeDep,
    settings: SettingsDep,
    db: DatabaseDep,
    case_no: str,
    body: SpouseCode,
    request: Request,
    guardian: CurrentGuardian,
) -> Response:
    """Send the child's other parent an authorisation code through the identity platform."""
    try:
        sent = await service.send_spouse_code(
            db,
            exchange,
            settings,
            guardian,
            case_no,
            body.spouse_id_number,
        )
    except TooSoon as exc:
        body_ = {"error": exc.code, "message": exc.message, "retry_after": exc.retry_after}
        return JSONResponse(body_, 429, headers={"Retry-After": str(exc.retry_after)})
    return JSONResponse(sent)


@router.post("/{case_no}/spouse", response_model=CaseView)
async def spouse(
    exchange: ExchangeDep,
    settings: SettingsDep,
    db: DatabaseDep,
    case_no: str,
    body: SpouseConsent,
    request: Request,
    guardian: CurrentGuardian,
) -> CaseView:
    verified = await verify_person_otp(settings, body.txn, body.code)
    case = await service.set_spouse(
        db, exchange, guardian, case_no, body.spouse_id_number, verified
    )
    async with db.read_session() as session:
        return await view(session, settings.public_url, case)


@router.post("/{case_no}/withdraw", response_model=CaseView)
async def withdraw(
    settings: SettingsDep,
    case_no: str,
    guardian: CurrentGuardian,
    session: SessionDep,
) -> CaseView:
    """Withdraw a draft and every consent given for it."""
    case = await service.withdraw(session, guardian, case_no)
    return await view(session, settings.public_url, case)


@router.post("/{case_no}/single-parent", response_model=CaseView)
async def single_parent(
    settings: SettingsDep,
    db: DatabaseDep,
    exchange: ExchangeDep,
    case_no: str,
    request: Request,
    guardian: CurrentGuardian,
    contested: bool = False,
) -> CaseView:
    """Skip step 3; refused where the records show the applicant married to the child's other
    parent, unless ``contested`` (the records are wrong): then the decision goes to review."""
    case = await service.set_single_parent(db, exchange, guardian, case_no, contested)
    async with db.read_session() as session:
        return await view(session, settings.public_url, case)


@router.post("/{case_no}/checks", response_model=CaseView)
async def checks(
    exchange: ExchangeDep,
    settings: SettingsDep,
    db: DatabaseDep,
    case_no: str,
    request: Request,
    guardian: CurrentGuardian,
) -> CaseView:
    """Student status, residences, marriage and birth records."""
    case, _, _ = await service.fetch_rest(db, exchange, guardian, case_no)
    async with db.read_session() as session:
        return await view(session, settings.public_url, case)


@router.get("/{case_no}/residences")
async def residences(
    db: DatabaseDep,
    case_no: str,
    request: Request,
    guardian: CurrentGuardian,
) -> dict[str, object]:
    async with db.read_session() as session:
        case = await repo.draft_of(session, guardian.id_number, case_no)
        if case is None:
            raise NotFound(service.NO_CASE)
        facts = read_facts(case)
        suggested = await service.suggested_residence(session, case, facts)
    from ruxue.enrollment.views import mask_address

    return {"suggested": suggested, "residences": [
        {"cert_no": p.cert_no, "address": mask_address(p.address), "building_area_m2": p.building_area_m2,
         "compound_code": p.compound_code} for p in facts.residences
    ]}  # fmt: skip


@router.post("/{case_no}/residence", response_model=CaseView)
async def residence(
    exchange: ExchangeDep,
    settings: SettingsDep,
    db: DatabaseDep,
    case_no: str,
    body: ChooseResidence,
    request: Request,
    guardian: CurrentGuardian,
) -> CaseView:
    case = await service.choose_residence(db, exchange, guardian, case_no, body.cert_no)
    async with db.read_session() as session:
        return await view(session, settings.public_url, case)


@router.post("/{case_no}/materials/upload", response_model=CaseView)
async def upload(
    db: DatabaseDep,
    settings: SettingsDep,
    now: NowDep,
    case_no: str,
    request: Request,
    guardian: CurrentGuardian,
    kind: str = Form(...),
    file: UploadFile = File(...),
) -> CaseView:
    """A missing material uploaded (at step 6, or while the case needs materials)."""
    data = await file.read(settings.upload_max_bytes + 1)
    async with db.write_session() as session:
        case = await answer.upload(
            session, settings, now, guardian, case_no, kind, file.filename or "", data
        )
        result = await view(session, settings.public_url, case)
    _after(case_no)
    return result


@router.post("/{case_no}/materials/bring", response_model=CaseView)
async def bring(
    db: DatabaseDep,
    settings: SettingsDep,
    now: NowDep,
    case_no: str,
    body: MaterialAnswer,
    request: Request,
    guardian: CurrentGuardian,
) -> CaseView:
    """The guardian will bring the original to the school (at step 6, or while it needs materials)."""
    async with db.write_session() as session:
        case = await answer.bring(session, now, guardian, case_no, body.kind)
        result = await view(session, settings.public_url, case)
    _after(case_no)
    return result


def _after(case_no: str) -> None:
    """An answer may complete the materials and decide the case: its SMS and archive jobs."""


@router.post("/{case_no}/materials/done", response_model=CaseView)
async def materials_done(
    settings: SettingsDep,
    db: DatabaseDep,
    case_no: str,
    request: Request,
    guardian: CurrentGuardian,
) -> CaseView:
    case = await service.confirm_materials(db, guardian, case_no)
    async with db.read_session() as session:
        return await view(session, settings.public_url, case)


@router.post("/{case_no}/submit", response_model=CaseView)
async def submit(
    settings: SettingsDep,
    now: NowDep,
    db: DatabaseDep,
    case_no: str,
    request: Request,
    guardian: CurrentGuardian,
) -> CaseView:
    case = await service.submit(db, now, guardian, case_no)
    async with db.read_session() as session:
        return await view(session, settings.public_url, case)
