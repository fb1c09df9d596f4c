"""The migrations and the models describe the same schema, and every migration can be undone."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from models import Base
from palabre.db import Database
from palabre.schema import alembic_config, upgrade


def _differences(engine) -> list:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)


def test_the_migrated_database_matches_the_models(db):
    assert _differences(db.engine) == [], "a model changed without a migration (or the reverse)"


def test_every_migration_downgrades_and_upgrades_again(tmp_path):
    database = Database(f"sqlite:///{tmp_path}/schema.db")
    upgrade(database.engine)
    config = alembic_config(str(database.engine.url))
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
    assert set(inspect(database.engine).get_table_names()) <= {"alembic_version"}
    upgrade(database.engine)
    assert _differences(database.engine) == []
    database.dispose()
