"""Which system takes a child's application: a district whose county runs its own enrollment
system (an active client with an ``enrollment_url``) applies there, not at the city; a ruxue in
county mode with ``RUXUE_COUNTY_DISTRICT`` takes that district's children only. Every channel
that starts a case, and the precheck, ask ``refuse_elsewhere`` once the child's hukou is known."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.county.models import Client
from ruxue.county.rules import CountySystem, Elsewhere, Routing, elsewhere
from ruxue.kit.errors import Conflict
from ruxue.settings import Settings


class ServedElsewhere(Conflict):
    code = "district_served_elsewhere"
    title = "请到户籍所在区的报名系统办理"

    def __init__(self, where: Elsewhere, district: str) -> None:
        super().__init__(
            where.message,
            code=where.code,
            apply_url=where.url,
            apply_label=where.label,
            district_code=district,
        )
        self.where = where  # a page shows the reason and a button named after the other system


async def routing_of(session: AsyncSession, settings: Settings) -> Routing:
    """This system's routing: a county's from its settings, the city's from its county clients."""
    if settings.county_district:
        return Routing(district=settings.county_district, city_url=settings.upstream_url)
    clients = select(Client.district_code, Client.name, Client.enrollment_url).where(
        Client.active, Client.enrollment_url != ""
    )
    counties: dict[str, CountySystem] = {}
    for district, name, url in await session.execute(clients.order_by(Client.client_id)):
        counties.setdefault(district, CountySystem(name, url))
    return Routing(counties=counties)


def refuse_elsewhere(routing: Routing, district: str) -> None:
    """Raises ``ServedElsewhere`` (409, with the code and the URL) for a child whose application
    another system takes."""
    if (where := elsewhere(routing, district)) is not None:
        raise ServedElsewhere(where, district)
