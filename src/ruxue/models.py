"""Every feature's tables, imported once so that Alembic and the tests see the whole schema."""

from ruxue.archive import models as archive_models
from ruxue.audit import models as audit_models
from ruxue.cases import models as cases_models
from ruxue.cohort import models as cohort_models
from ruxue.county import models as county_models
from ruxue.dashboard import models as dashboard_models
from ruxue.elicence import models as elicence_models
from ruxue.exchange import models as exchange_models
from ruxue.guardianship import models as guardianship_models
from ruxue.identity import models as identity_models
from ruxue.kiosk import models as kiosk_models
from ruxue.kit import ratelimit as ratelimit_models
from ruxue.kit import sessions as session_models
from ruxue.kit.db import Base
from ruxue.materials import models as materials_models
from ruxue.notice import models as notice_models
from ruxue.notify import models as notify_models
from ruxue.policy import models as policy_models
from ruxue.provider import models as provider_models
from ruxue.rating import models as rating_models
from ruxue.reference import models as reference_models
from ruxue.staff import models as staff_models

__all__ = [
    "Base",
    "archive_models",
    "audit_models",
    "cases_models",
    "cohort_models",
    "county_models",
    "dashboard_models",
    "elicence_models",
    "exchange_models",
    "guardianship_models",
    "identity_models",
    "kiosk_models",
    "materials_models",
    "notice_models",
    "notify_models",
    "policy_models",
    "provider_models",
    "ratelimit_models",
    "rating_models",
    "reference_models",
    "session_models",
    "staff_models",
]
