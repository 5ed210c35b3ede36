"""Alembic's entry point: runs the revisions in migrations/versions against one database.

data_access.schema.migrate(url) passes the URL in `config.attributes["url"]`; the `alembic`
command line (e.g. `alembic revision --autogenerate -m "..."`) uses the configured
database instead. SQLite alters tables in batch mode (copy and swap), which it needs.

Several processes may migrate at once (every ingest process does at start): PostgreSQL
serialises them with an advisory lock, SQLite with the write lock that data_access.db's
BEGIN IMMEDIATE takes; whoever comes next finds the schema at head and does nothing.
"""

from logging.config import fileConfig

from alembic import context
from sqlalchemy import text

from common.config import load_settings
from data_access.db import make_engine, normalise_url
from data_access.models import Base
from data_access.schema import autogenerate_includes

config = context.config
url = config.attributes.get("url")
if url is None:
    if config.config_file_name:
        fileConfig(config.config_file_name, disable_existing_loggers=False)
    url = load_settings().database_url
url = normalise_url(url)
options = {
    "target_metadata": Base.metadata,
    "render_as_batch": url.startswith("sqlite"),
    "compare_type": True,
    "include_object": autogenerate_includes,
}
MIGRATION_LOCK = 7_351_920_614  # any constant shared by every migrating process

if context.is_offline_mode():
    context.configure(url=url, literal_binds=True, **options)
    with context.begin_transaction():
        context.run_migrations()
else:
    engine = make_engine(url)
    try:
        # The whole upgrade is one transaction, begun here (Alembic then leaves it to us):
        # SQLite's BEGIN IMMEDIATE and PostgreSQL's advisory lock queue concurrent migrators.
        with engine.connect() as connection, connection.begin():
            if connection.dialect.name == "postgresql":
                connection.execute(text(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})"))
            context.configure(connection=connection, **options)
            context.run_migrations()
    finally:
        engine.dispose()
