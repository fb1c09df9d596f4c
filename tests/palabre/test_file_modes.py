"""The embedded setup's files hold citizens' phone numbers and the keys: readable by their owner only."""

from __future__ import annotations

import os
import stat

import pytest
from sqlalchemy import text

from palabre.config import Config
from palabre.db import Database


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture(autouse=True)
def usual_umask():
    """A server's usual umask, under which files are created world-readable unless asked otherwise."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_the_sqlite_database_and_its_folder_are_private(tmp_path):
    database = Database(f"sqlite:///{tmp_path}/instance/palabre.db")
    with database.engine.begin() as connection:
        connection.execute(text("CREATE TABLE phones (number TEXT)"))
        connection.execute(text("INSERT INTO phones VALUES ('+2250701020304')"))
        assert mode(tmp_path / "instance" / "palabre.db-wal") == 0o600  # WAL mode: the write lands here first
    database.dispose()
    assert mode(tmp_path / "instance") == 0o700
    assert mode(tmp_path / "instance" / "palabre.db") == 0o600


def test_an_existing_database_keeps_its_data(tmp_path):
    first = Database(f"sqlite:///{tmp_path}/palabre.db")
    with first.engine.begin() as connection:
        connection.execute(text("CREATE TABLE kept (x INTEGER)"))
    first.dispose()
    again = Database(f"sqlite:///{tmp_path}/palabre.db")
    with again.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM kept")).scalar() == 0
    again.dispose()


def test_the_generated_keys_and_their_folder_are_private(tmp_path):
    instance = tmp_path / "instance"
    Config.from_env({"INSTANCE_DIR": str(instance)})
    assert mode(instance) == 0o700
    assert mode(instance / "secret_key") == 0o600 and mode(instance / "pseudonym_key") == 0o600
