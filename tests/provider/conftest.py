"""A county's back-channel logout endpoint (a small app over real HTTP that keeps what it got) and
a registered county client of the city's provider."""

from tests.support.provider import receiver  # noqa: F401 (the fixture)
