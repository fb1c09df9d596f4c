"""Dialect-aware INSERT ... ON CONFLICT, the same call on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any, Iterable

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def _insert(session: Session, model: Any):
    dialect = session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    return module.insert(model)


def insert_ignore(session: Session, model: Any, values: dict[str, Any], conflict: Iterable[str]) -> int | None:
    """Insert a row unless one with the same conflict columns exists; return the new id or None."""
    statement = _insert(session, model).values(**values).on_conflict_do_nothing(index_elements=list(conflict))
    return session.execute(statement.returning(model.id)).scalar()


def upsert(session: Session, model: Any, values: dict[str, Any], conflict: Iterable[str], update: Iterable[str]) -> None:
    """Insert a row, or update the given columns of the one already there."""
    statement = _insert(session, model).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=list(conflict), set_={column: statement.excluded[column] for column in update}
    )
    session.execute(statement)
