"""Alembic environment: the engine comes from bot.console.db.migrate (no alembic.ini)."""

from alembic import context

from bot.console.db import VERSION_TABLE

engine = context.config.attributes["engine"]
with engine.begin() as connection:
    context.configure(connection=connection, version_table=VERSION_TABLE)
    with context.begin_transaction():
        context.run_migrations()
