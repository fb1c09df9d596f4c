"""Fixtures: an app on a real database (SQLite by default, PostgreSQL with TEST_DATABASE_URL), a frozen clock."""

from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from app import create_app
from models import Base
from palabre.config import ROOT, Config, normalise_database_url
from palabre.db import Database
from palabre.schema import upgrade

TESTS = Path(__file__).parent
DATA = TESTS / "data"
LIBRARY = ROOT / "flows" / "library"
# The clock every test runs at: tests never depend on the wall clock.
FROZEN_NOW = datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc)


def pytest_report_header(config):
    return f"database: {_database_url('<tmp>')}"


def _database_url(tmp: str) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    return normalise_database_url(url) if url else f"sqlite:///{tmp}/palabre-test.db"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    """A freshly migrated database for the whole run."""
    url = _database_url(str(tmp_path_factory.mktemp("db")))
    database = Database(url)
    if not database.is_sqlite:
        # Whatever an earlier run's schema was (tables or constraints a later migration removed, which
        # drop_all no longer knows), start from an empty schema.
        with database.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    upgrade(database.engine)
    database.dispose()
    return url


@pytest.fixture
def settings(database_url, tmp_path) -> Config:
    """Settings of a test instance: no Redis, fixed keys, the shipped flow library."""
    return Config(
        DATABASE_URL=database_url, REDIS_URL=None, SECRET_KEY="test-secret", PSEUDONYM_KEY="test-pseudonym-key",
        FLOWS_DIR=str(LIBRARY), INSTANCE_DIR=str(tmp_path / "instance"), TESTING=True,
    )


@pytest.fixture
def app(settings):
    """The web app on an emptied database."""
    application = create_app(settings)
    database = application.extensions["palabre.database"]
    _empty(database)
    yield application
    database.dispose()


@pytest.fixture
def db(app) -> Database:
    return app.extensions["palabre.database"]


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def loaded(app, db):
    """The app with the flow library loaded and opened, as after `python app.py init`."""
    from palabre.consultations import load_library

    with db.session() as session:
        load_library(session, LIBRARY)
        session.commit()
    return app


@pytest.fixture
def now() -> datetime:
    return FROZEN_NOW


def _empty(database: Database) -> None:
    existing = set(inspect(database.engine).get_table_names())
    tables = [t for t in reversed(Base.metadata.sorted_tables) if t.name in existing]
    with database.engine.begin() as connection:
        if database.is_sqlite:
            for table in tables:
                connection.execute(table.delete())
        else:
            names = ", ".join(table.name for table in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
