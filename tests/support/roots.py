"""The tests as a composition root: the process's keys, CA bundle and jobs' settings are handed to
the kit once (``kit/process.configure``), as the app, the worker and the CLI do. A test that
changes the environment (other keys, another var dir for the jobs) hands it over again with
``from_environment``; each test starts from the environment as it was."""

from ruxue.kit import process
from ruxue.settings import Settings, get_settings


def from_environment() -> Settings:
    """The settings of the environment, read again (the CLI's too) and handed to the kit."""
    get_settings.cache_clear()
    settings = get_settings()
    process.configure(settings)
    return settings
