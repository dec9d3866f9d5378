"""The composition of the case lifecycle: who reacts to a case's moves; and whose dead letters
the administrator may send again (the county's own, and the provider's). Called by the app
(``web.app.create_app``), the worker's start-up, and the CLI and tests that move cases; calling it
again replaces the registrations (idempotent)."""

from ruxue.archive.tasks import on_transition as archive
from ruxue.audit import repository as ledger
from ruxue.cases import lifecycle
from ruxue.cohort.service import on_transition as cohort
from ruxue.county import dead_letters
from ruxue.county.dead_letters import DeadLetters
from ruxue.county.outbox import reporter
from ruxue.elicence.service import on_transition as elicence
from ruxue.notice.tasks import on_transition as rejection_letter
from ruxue.notify.service import notifier
from ruxue.provider import logouts
from ruxue.provider.tasks import tell_counties
from ruxue.settings import Settings


def wire(settings: Settings) -> None:
    ledger.install()  # every write of a record a family's rights depend on, chained
    lifecycle.unsubscribe_all()
    subscribers = (elicence, rejection_letter, archive, notifier(settings.public_url), cohort)
    for subscriber in subscribers:
        lifecycle.subscribe(subscriber)
    if settings.upstream_url:  # county mode: every stage to the city, through the outbox
        lifecycle.subscribe(reporter(settings))
    dead_letters.register(
        "logouts", DeadLetters(logouts.revive, "backchannel_logout_retry", tell_counties)
    )
