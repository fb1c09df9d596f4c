"""Dialect-aware INSERT ... ON CONFLICT, the same call on SQLite and PostgreSQL."""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Iterable

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def insert_ignore(db: Session | Connection, model: Any, values: dict[str, Any], conflict: Iterable[str]) -> int | None:
    """Insert a row unless one with the same conflict columns exists; return the new id or None."""
    statement = insert_ignore_statement(_dialect(db), model.__table__, tuple(conflict))
    return db.execute(statement, values).scalar()


def upsert(db: Session | Connection, model: Any, values: dict[str, Any] | list[dict[str, Any]], conflict: Iterable[str],
           update: Iterable[str]) -> None:
    """Insert rows, or update the given columns of those already there."""
    db.execute(upsert_statement(_dialect(db), model.__table__, tuple(conflict), tuple(update)), values)


# The statements are built once per table and reused with each call's values: building an
# INSERT ... ON CONFLICT costs more CPU than running it, on the path every inbound message takes.
# They are Core statements on the table: nothing pending in the session is flushed by them.
# Given a Connection (the lean inbound path), they skip the ORM session's execution layer too.


def _dialect(db: Session | Connection) -> str:
    return db.dialect.name if isinstance(db, Connection) else db.get_bind().dialect.name


def _module(dialect: str):
    return postgresql if dialect == "postgresql" else sqlite


@lru_cache(maxsize=64)
def insert_ignore_statement(dialect: str, table: Table, conflict: tuple[str, ...]):
    """INSERT ... ON CONFLICT DO NOTHING RETURNING id, for one dialect."""
    return _module(dialect).insert(table).on_conflict_do_nothing(index_elements=list(conflict)).returning(table.c.id)


@lru_cache(maxsize=64)
def upsert_statement(dialect: str, table: Table, conflict: tuple[str, ...], update: tuple[str, ...]):
    """INSERT ... ON CONFLICT DO UPDATE of the `update` columns, for one dialect."""
    statement = _module(dialect).insert(table)
    return statement.on_conflict_do_update(index_elements=list(conflict), set_={c: statement.excluded[c] for c in update})
