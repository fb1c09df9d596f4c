"""The per-app objects (database) and how a request gets a session."""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy.orm import Session

from palabre.config import Config
from palabre.db import Database

KEY = "palabre.database"


def init_app(app: Flask) -> None:
    """Open the app's database and close request sessions after each request."""
    app.extensions[KEY] = Database(app.config["DATABASE_URL"])
    app.teardown_appcontext(_close_session)


def database() -> Database:
    """The current app's database."""
    return current_app.extensions[KEY]


def config() -> Config:
    """The current app's settings."""
    return current_app.extensions["palabre.config"]


def db_session() -> Session:
    """A session for the current request, closed at teardown."""
    if "db_session" not in g:
        g.db_session = database().session()
    return g.db_session


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
