"""What a composition root (the app, the worker, a CLI command) hands the process-wide kit once,
from its one ``Settings``: the PII and file keys, the extra CA bundle, the jobs' settings. Library
code then never reads the environment."""

from ruxue.kit import http, pii, queue
from ruxue.settings import Settings


def configure(settings: Settings) -> None:
    pii.configure(settings)
    http.configure(settings.ca_bundle)
    queue.configure(settings)
