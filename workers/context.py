"""Give a job the app it needs: the caller's app inline, or one built from the environment in a worker."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from flask import Flask, current_app, has_app_context
from sqlalchemy.orm import Session

_worker_app: Flask | None = None


def job_app() -> Flask:
    """The running app (inline jobs) or this worker process's own, created once."""
    global _worker_app
    if has_app_context():
        return current_app._get_current_object()  # type: ignore[attr-defined]
    if _worker_app is None:
        from app import create_app

        _worker_app = create_app()
    return _worker_app


@contextmanager
def job_session() -> Iterator[Session]:
    """An app context and a database session for the length of a job."""
    app = job_app()
    with app.app_context():
        with app.extensions["palabre.database"].session() as session:
            yield session
