"""Bring a database to the current schema with Alembic (migrations/ at the repo root).

`python -m data_access.schema` (the Procfile's `release`) migrates the configured
database; tests and tools call `migrate(url)` with a URL of their own.
"""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from common.config import PROJECT_ROOT, load_settings
from common.logging_setup import setup_logging

ALEMBIC_INI = PROJECT_ROOT / "alembic.ini"
# Indexes on expressions that each dialect writes its own way, so the models cannot
# declare them: made by their migration, left out of autogenerate's comparison.
EXPRESSION_INDEXES = frozenset(
    {
        "ix_incidents_close_span",
        "ix_disputes_outcome_span",
        "ix_disputes_resolved_span",
    }
)


def autogenerate_includes(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic's include_object: everything but EXPRESSION_INDEXES."""
    return not (type_ == "index" and name in EXPRESSION_INDEXES)


def alembic_config(url: str) -> Config:
    """Alembic's config for `url`, passed through attributes (no %-escaping, no env)."""
    config = Config(str(ALEMBIC_INI))
    config.attributes["url"] = url
    return config


def migrate(url: str) -> None:
    """Upgrade the database at `url` to the newest revision (a no-op when it is there)."""
    command.upgrade(alembic_config(url), "head")


def main() -> None:
    setup_logging("release")
    migrate(load_settings().database_url)


if __name__ == "__main__":
    main()
