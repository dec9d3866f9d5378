"""The administrator's run (``/staff/cohort``: a dry run with the seed, the report, publishing
after a confirmation step) and the public list of published lines (``/cohort/lines``)."""

from dataclasses import dataclass

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.cohort import publication as service
from ruxue.cohort import repository as repo
from ruxue.cohort.publication import DryRun, RunKey
from ruxue.cohort.views import HEADINGS, Row, rows
from ruxue.kit.db import Database
from ruxue.kit.errors import Forbidden, RuxueError
from ruxue.policy import service as policy_service
from ruxue.policy.loader import CHINA
from ruxue.reference.districts import ISSUERS, district_label
from ruxue.staff.auth import Staff, require
from ruxue.staff.service import audit
from ruxue.web.auth import PageStaff
from ruxue.web.deps import DatabaseDep, NowDep
from ruxue.web.render import render

router = APIRouter(include_in_schema=False)
PAGE = "/staff/cohort"


@dataclass(frozen=True)
class Asked:
    """The run the administrator asked for, from the page's form."""

    district: str
    segment: str
    year: int
    seed: str

    @property
    def key(self) -> RunKey:
        return RunKey(self.district, self.segment, self.year)

    def query(self) -> str:
        return f"district={self.district}&segment={self.segment}&year={self.year}&seed={self.seed}"


def _asked(staff: Staff, district: str, segment: str, year: int, seed: str) -> Asked:
    require(staff, "admin")
    district = district or staff.district_code or ""
    if staff.district_code and district != staff.district_code:
        raise Forbidden("只能办理本区的学位分配。")
    return Asked(district, segment if segment in ("primary", "junior") else "primary", year, seed)


@router.get(PAGE, response_class=HTMLResponse)
async def cohort_page(
    request: Request,
    db: DatabaseDep,
    now: NowDep,
    staff: PageStaff,
    district: str = "",
    segment: str = "primary",
    year: int | None = None,
    seed: str = "",
) -> Response:
    if staff is None:
        return RedirectResponse("/staff/login", status_code=303)
    asked = _asked(staff, district, segment, year or now.year, seed.strip())
    return await _page(request, db, staff, asked)


async def _page(
    request: Request, db: Database, staff: Staff, asked: Asked, status: int = 200, error: str = ""
) -> Response:
    found: DryRun | None = None
    published: list[Row] = []
    async with db.write_session() as session:  # the look is audited
        choices = await _choices(session, staff, asked.year)
        run = await repo.run_of(session, asked.district, asked.segment, asked.year)
        if run is not None:  # what was published, not a dry run over the seats it took
            names = (await service.schools_of(session, asked.key))[1]
            published = rows(await repo.lines_of(session, run.id), names)
        elif asked.seed and asked.district and not error:
            try:
                found = await service.dry_run(session, asked.key, asked.seed)
            except RuxueError as exc:
                status, error = exc.status_code, exc.message
            else:
                await audit(session, staff, "cohort_dry_run", asked.query())
    return render(
        request,
        "cohort_admin.html",
        status_code=status,
        asked=asked,
        run=run,
        found=found,
        headings=HEADINGS,
        rows=rows(found.reports, found.names) if found else published,
        district_name=district_label(asked.district) if asked.district else "",
        choices=choices,
        error=error,
    )


async def _choices(session: AsyncSession, staff: Staff, year: int) -> list[tuple[str, str]]:
    """The districts this administrator may run, as (code, name): their own, or for the city's
    every district whose policy in force for the year is ``allocation``."""
    if staff.district_code:
        return [(staff.district_code, district_label(staff.district_code))]
    found = []
    for code in ISSUERS:
        if (await policy_service.cohort_policy(session, code, year)).placement == "allocation":
            found.append((code, district_label(code)))
    return found


@router.post(PAGE + "/publish", response_class=HTMLResponse)
async def publish(
    request: Request,
    db: DatabaseDep,
    now: NowDep,
    staff: PageStaff,
    district: str = Form(""),
    segment: str = Form("primary"),
    year: int = Form(...),
    seed: str = Form(""),
    confirmed: str = Form(""),
) -> Response:
    """Publishing after the confirmation step; a second publication is refused, shown on the
    page. Placing runs in the request (a district of a few thousand cases takes seconds; the
    largest are published with ``ruxue allocate --publish``, which shows its progress)."""
    if staff is None:
        return RedirectResponse("/staff/login", status_code=303)
    asked = _asked(staff, district, segment, year, seed.strip())
    if not confirmed:
        async with db.read_session() as session:
            try:
                found = await service.dry_run(session, asked.key, asked.seed)
            except RuxueError as exc:
                return await _page(request, db, staff, asked, exc.status_code, exc.message)
            day = (await service.policy_of(session, asked.key)).date("publish_on")
        early = day if day is not None and now.astimezone(CHINA).date() < day else None
        name = district_label(asked.district)
        return render(
            request,
            "cohort_confirm.html",
            asked=asked,
            found=found,
            early=early,
            district_name=name,
        )
    try:
        await service.publish(db, asked.key, asked.seed, f"staff:{staff.username}", now, _quiet)
    except RuxueError as exc:
        return await _page(request, db, staff, asked, exc.status_code, exc.message)
    return RedirectResponse(f"{PAGE}?{asked.query()}", status_code=303)


def _quiet(done: int, total: int) -> None:
    return None


@router.get("/cohort/lines", response_class=HTMLResponse)
async def published_lines(request: Request, db: DatabaseDep) -> Response:
    """Public, no login: per school the published lines and the seed; no personal data."""
    async with db.read_session() as session:
        runs = await repo.published_runs(session)
        listed = []
        for run in runs:
            names = (
                await service.schools_of(session, RunKey(run.district_code, run.segment, run.year))
            )[1]
            lines = await repo.lines_of(session, run.id)
            listed.append((run, district_label(run.district_code), rows(lines, names)))
    return render(request, "cohort_lines.html", listed=listed, headings=HEADINGS)
