"""The guardian's own list of the county systems they let have their data through the city's
login (``/me/county-systems``), each with a button to withdraw the consent. Only the city has
them: a county system (``RUXUE_UPSTREAM_URL`` set) answers 404."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ruxue.identity.service import Guardian
from ruxue.kit.errors import NotFound
from ruxue.kit.oauth import subject
from ruxue.provider import service
from ruxue.provider.service import issuer_of
from ruxue.reference.sites import site_of
from ruxue.settings import Settings
from ruxue.staff.service import audit
from ruxue.web.auth import PageGuardian
from ruxue.web.deps import DatabaseDep, SettingsDep
from ruxue.web.render import render

PAGE = "/me/county-systems"


async def at_the_city(settings: SettingsDep) -> None:
    if site_of(settings).is_county:
        raise NotFound("区县系统没有此页面：经市级平台登录给区县系统的授权，请在市级平台查看。")


router = APIRouter(include_in_schema=False, dependencies=[Depends(at_the_city)])


def _subject(settings: Settings, guardian: Guardian) -> str:
    return subject(issuer_of(settings), guardian.id_number)


@router.get(PAGE, response_class=HTMLResponse)
async def county_systems(
    request: Request,
    db: DatabaseDep,
    settings: SettingsDep,
    guardian: PageGuardian,
) -> Response:
    async with db.read_session() as session:
        given = await service.consents_given(session, _subject(settings, guardian))
    withdrawn = request.session.pop("consent_withdrawn", None)
    return render(request, "county_systems.html", given=given, withdrawn=withdrawn)


@router.post(PAGE + "/{client_id}/withdraw")
async def withdraw(
    request: Request,
    db: DatabaseDep,
    settings: SettingsDep,
    client_id: str,
    guardian: PageGuardian,
) -> Response:
    """Withdrawn: the consent, the county's tokens for the person and their sessions there end
    (audited); the county's next login asks again."""
    async with db.write_session() as session:
        gone = await service.withdraw_consent(session, _subject(settings, guardian), client_id)
        if gone is None:
            raise NotFound("没有这项授权，可能已经撤回。")
        await audit(
            session,
            None,
            "oidc_consent_withdrawn",
            target=client_id,
            person=service.audit_name(guardian.id_number),
            scopes=gone.scopes,
        )
        found = await service.clients(session, client_id)
    request.session["consent_withdrawn"] = found[0].name if found else client_id
    return RedirectResponse(PAGE, status_code=303)
