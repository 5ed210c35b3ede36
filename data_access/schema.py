"""Bring a database to the current schema (placeholder until Alembic lands)."""

from data_access.db import make_engine
from data_access.models import Base


def migrate(url: str) -> None:
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    engine.dispose()
