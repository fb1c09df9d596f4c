"""The database engine and sessions, for SQLite (embedded default) and PostgreSQL alike."""

from __future__ import annotations

import select
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker

from palabre.private_files import private_file, private_folder

CONNECTION_KEY = "palabre.connection"  # in Session.info


class Database:
    """One engine and its session factory."""

    def __init__(self, url: str, **engine_options: Any):
        self.url = make_url(url)
        if self.is_sqlite:
            _ensure_sqlite_file(url)
            engine_options.setdefault("connect_args", {"timeout": 30})
        self.engine: Engine = create_engine(url, **engine_options)
        if self.is_sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)
            event.listen(self.engine, "begin", _sqlite_begin_immediate)
        else:
            event.listen(self.engine, "checkout", _drop_if_closed_by_server)
        self.Session = sessionmaker(self.engine, expire_on_commit=False)
        event.listen(self.Session, "after_begin", _remember_connection)

    @property
    def is_sqlite(self) -> bool:
        return self.url.get_backend_name() == "sqlite"

    def session(self) -> Session:
        """A new session; use it as a context manager."""
        return self.Session()

    def dispose(self) -> None:
        self.engine.dispose()


def discard_connection(session: Session) -> None:
    """Throw away the connection of a session whose close failed midway, instead of leaking it."""
    connection = session.info.pop(CONNECTION_KEY, None)
    if connection is not None and not connection.closed:
        # Not back to the pool mid-transaction: on SQLite it would keep the write lock.
        connection.invalidate()
        connection.close()


def _remember_connection(session: Session, _transaction: Any, connection: Connection) -> None:
    # A session's close lets go of its connection before rolling back: if the rollback fails
    # (the server went away), only this handle still reaches the connection.
    session.info[CONNECTION_KEY] = connection


def _drop_if_closed_by_server(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """Refuse a pooled connection the server has closed (a restart, an idle timeout): the pool opens another.

    An idle connection has nothing to read unless the server ended it (EOF, or its FATAL message
    first). Asking the socket costs one system call, where pool_pre_ping's SELECT 1 costs a round
    trip on every checkout, that is on every inbound message.
    """
    if dbapi_connection.closed or dbapi_connection.broken:
        raise DisconnectionError("connection closed")
    readable, _, _ = select.select([dbapi_connection.fileno()], [], [], 0)
    if readable:
        raise DisconnectionError("the server closed this connection while it was idle in the pool")


def _ensure_sqlite_file(url: str) -> None:
    """Create the database file private before SQLite does: sqlite3 would make it world-readable (umask)."""
    database = make_url(url).database
    if database and database != ":memory:" and not database.startswith("file:"):
        path = Path(database)
        private_folder(path.parent)
        # An empty file is a valid empty database. SQLite gives its -wal and -shm files the
        # database file's permissions, so they are private too.
        private_file(path)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # SQLite leaves foreign keys off unless asked; WAL lets the web app read while a writer works.
    dbapi_connection.isolation_level = None  # let the "begin" listener own transactions
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin_immediate(connection: Any) -> None:
    # Take the write lock at the start of each transaction: two messages from one number then
    # queue up instead of both reading the same conversation state (SQLite has no FOR UPDATE).
    connection.exec_driver_sql("BEGIN IMMEDIATE")
