"""Every feature's tables, imported once so that Alembic and the tests see the whole schema."""

from ruxue.exchange import models as exchange_models
from ruxue.kit.db import Base

__all__ = ["Base", "exchange_models"]
