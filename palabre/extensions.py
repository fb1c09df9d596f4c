"""The per-app objects (database) and how a request gets a session."""

from __future__ import annotations

import logging

from flask import Flask, current_app, g
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from palabre.config import Config
from palabre.db import Database, discard_connection

log = logging.getLogger(__name__)

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
    if session is None:
        return
    try:
        session.close()  # rolls back whatever the request left uncommitted
    except DBAPIError as exc:
        # The database went away once the answer was made (a restart): nothing uncommitted is
        # kept anyway, and raising here would turn an answered request into a 500. The type
        # only, as in palabre.errors: the message can quote a citizen's data.
        log.error("database unavailable while ending the request: %s", type(exc.orig or exc).__name__)
        discard_connection(session)
