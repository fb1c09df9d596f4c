"""Core statements compiled once per dialect and run on the driver's cursor of a SQLAlchemy connection.

Nearly every inbound message runs the same few statements. SQLAlchemy's execution layer (cache key,
execution context, result wrapper) took more of the SMS webhook's CPU than psycopg itself (37% of
it against 23%, py-spy over bench/webhooks.py's mixed load). A `Prepared` statement is compiled
once per dialect and set of values, with the bind and result processors SQLAlchemy would apply, and
runs on a DBAPI cursor of the caller's connection, inside its transaction. Driver errors are
raised as SQLAlchemy's (parameters hidden), so callers catch `SQLAlchemyError` as before.

Each statement keeps a cursor of its own on each driver connection, and psycopg gets its text as
bytes: psycopg builds a new adapter context (and dumpers, loaders) whenever a cursor runs another
query than its last, and encodes a text query at each execution: about 3% of the SMS webhook's
CPU when every statement shared one cursor (py-spy over bench/webhooks.py's mixed load).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Sequence

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError


@dataclass(frozen=True)
class _Compiled:
    sql: str
    query: str | bytes  # what the driver is given: psycopg takes bytes without encoding them again
    defaults: dict[str, Any]  # values the statement carries itself (literals in a WHERE)
    order: tuple[str, ...] | None  # positional drivers (sqlite3): the names, in order
    binds: tuple[tuple[str, Callable[[Any], Any]], ...]  # bind processors: JSON to text, booleans, UTC datetimes
    results: tuple[Callable[[Any], Any] | None, ...]  # result processors, one per column


class Prepared:
    """A Core statement run without SQLAlchemy's per-execution work; `execute` returns its rows.

    `statement` is the statement, or a function of the dialect's name returning it (INSERT ... ON CONFLICT
    is built by each dialect's own module).
    """

    def __init__(self, statement: Any):
        self.statement = statement
        self._compiled: dict[tuple[str, tuple[str, ...]], _Compiled] = {}

    def execute(self, connection: Connection, values: dict[str, Any]) -> list[tuple]:
        """Run with these values (each key once a column or bind name) on the connection's transaction."""
        key = (connection.dialect.name, tuple(values))
        compiled = self._compiled.get(key) or self._compile(connection, key)
        params = {**compiled.defaults, **values}
        for name, process in compiled.binds:
            params[name] = process(params[name])
        arguments: Any = params if compiled.order is None else tuple(params[name] for name in compiled.order)
        if not connection.in_transaction():  # begin as SQLAlchemy would (its events: SQLite's BEGIN IMMEDIATE), so that commit() commits
            connection.begin()
        cursor = _cursor(connection, self)
        if connection.dispatch.before_cursor_execute:  # listeners (tests counting statements) still see each one
            connection.dispatch.before_cursor_execute(connection, cursor, compiled.sql, arguments, None, False)
        try:
            cursor.execute(compiled.query, arguments)
            rows = cursor.fetchall() if compiled.results else []
        except connection.dialect.loaded_dbapi.Error as exc:
            raise DBAPIError.instance(compiled.sql, None, exc, connection.dialect.loaded_dbapi.Error, hide_parameters=True,
                                      dialect=connection.dialect) from exc
        if any(compiled.results):
            return [tuple(value if process is None else process(value) for process, value in zip(compiled.results, row))
                    for row in rows]
        return rows

    def _compile(self, connection: Connection, key: tuple[str, tuple[str, ...]]) -> _Compiled:
        dialect, names = connection.dialect, key[1]
        statement = self.statement(dialect.name) if callable(self.statement) else self.statement
        compiled = statement.compile(dialect=dialect, column_keys=list(names))
        # Values the statement carries (a literal in a WHERE); any other bind needs a value from the caller.
        defaults = {name: bind.effective_value for name, bind in compiled.binds.items() if name not in names}
        unset = [name for name, value in defaults.items() if value is None]
        if unset:  # a column default SQLAlchemy would compute in Python, or a value forgotten: pass it
            raise ValueError(f"Prepared statement: no value for {', '.join(unset)}")
        binds = []
        for name, bind in compiled.binds.items():
            process = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if process is not None:
                binds.append((name, process))
        columns: Sequence[Any] = statement.exported_columns
        results = tuple(column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns)
        order = tuple(compiled.positiontup) if compiled.positional else None
        # ASCII reads the same in any client encoding; anything else is left for psycopg to encode.
        text = compiled.string
        query = text.encode("ascii") if dialect.driver == "psycopg" and text.isascii() else text
        result = _Compiled(compiled.string, query, defaults, order, tuple(binds), results)
        self._compiled[key] = result
        return result


def _cursor(connection: Connection, statement: Prepared) -> Any:
    """The statement's own cursor on the driver connection, made on its first use there and reused."""
    pooled = connection.connection
    driver = pooled.dbapi_connection
    held = pooled.info.get(_CURSORS)
    if held is None or held[0] is not driver:
        held = pooled.info[_CURSORS] = (driver, {})
    cursor = held[1].get(statement)
    if cursor is None or getattr(cursor, "closed", False):
        cursor = held[1][statement] = pooled.cursor()
    return cursor


_CURSORS = "palabre.prepared.cursors"  # in the pool entry's info: (the driver connection, a cursor per statement)
