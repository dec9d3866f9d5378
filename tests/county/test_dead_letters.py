"""The dead letters the administrator sends again: the county's own outbox, and the provider's
back-channel logouts, which county code no longer imports — the composition root registers them."""

from typing import cast

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from ruxue.county import dead_letters
from ruxue.kit.errors import NotFound
from ruxue.provider.tasks import tell_counties
from ruxue.settings import Settings
from ruxue.staff.auth import Staff
from ruxue.wiring import wire


def test_the_composition_root_registers_the_providers_dead_letters(settings: Settings) -> None:
    dead_letters.KINDS.pop("logouts", None)
    wire(settings)
    logouts = dead_letters.KINDS["logouts"]
    assert logouts.sender is tell_counties
    assert logouts.action == "backchannel_logout_retry"
    assert set(dead_letters.KINDS) == {"outbox", "logouts"}


async def test_an_unknown_kind_is_not_found() -> None:
    admin = Staff(
        id=1, username="admin", name="管理员", role="admin", school_code=None, district_code=None
    )
    no_session = cast(AsyncSession, None)  # refused before the database is used
    with pytest.raises(NotFound):
        await dead_letters.send_again(no_session, admin, "letters", 1)
