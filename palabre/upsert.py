"""Dialect-aware INSERT ... ON CONFLICT, the same call on SQLite and PostgreSQL."""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Iterable

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def insert_ignore(session: Session, model: Any, values: dict[str, Any], conflict: Iterable[str]) -> int | None:
    """Insert a row unless one with the same conflict columns exists; return the new id or None."""
    statement = _insert_ignore(_dialect(session), model.__table__, tuple(conflict))
    return session.execute(statement, values).scalar()


def upsert(session: Session, model: Any, values: dict[str, Any], conflict: Iterable[str], update: Iterable[str]) -> None:
    """Insert a row, or update the given columns of the one already there."""
    session.execute(_upsert(_dialect(session), model.__table__, tuple(conflict), tuple(update)), values)


# The statements are built once per table and reused with each call's values: building an
# INSERT ... ON CONFLICT costs more CPU than running it, on the path every inbound message takes.
# They are Core statements on the table: nothing pending in the session is flushed by them.


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def _module(dialect: str):
    return postgresql if dialect == "postgresql" else sqlite


@lru_cache(maxsize=64)
def _insert_ignore(dialect: str, table: Table, conflict: tuple[str, ...]):
    return _module(dialect).insert(table).on_conflict_do_nothing(index_elements=list(conflict)).returning(table.c.id)


@lru_cache(maxsize=64)
def _upsert(dialect: str, table: Table, conflict: tuple[str, ...], update: tuple[str, ...]):
    statement = _module(dialect).insert(table)
    return statement.on_conflict_do_update(index_elements=list(conflict), set_={c: statement.excluded[c] for c in update})
