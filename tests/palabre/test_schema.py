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


def test_messages_queued_before_the_retry_schedule_are_due_after_the_upgrade(tmp_path):
    from sqlalchemy import text

    database = Database(f"sqlite:///{tmp_path}/upgrade.db")
    config = alembic_config(str(database.engine.url))
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0004")
    with database.engine.begin() as connection:
        connection.execute(text("INSERT INTO participants (id, pseudonym, created_at) VALUES (1, 'p1', '2026-11-01 10:00:00')"))
        for status in ("queued", "sent"):
            connection.execute(text("INSERT INTO outbound_messages (participant_id, channel, kind, text, attempts, status, created_at) "
                                    "VALUES (1, 'sms', 'invitation', 'Bonjour', 1, :status, '2026-11-02 08:00:00')"), {"status": status})
    upgrade(database.engine)
    with database.engine.connect() as connection:
        due = dict(connection.execute(text("SELECT status, next_attempt_at FROM outbound_messages")).all())
    assert due["queued"] is not None and str(due["queued"]).startswith("2026-11-02 08:00:00")
    assert due["sent"] is None
    database.dispose()
