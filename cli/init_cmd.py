"""`init`: create or upgrade the schema and open every flow of the library."""

from __future__ import annotations

import click
from flask import Flask

from flows.errors import FlowInvalid
from palabre.consultations import load_library
from palabre.extensions import config, database
from palabre.schema import upgrade


def run_init(echo=click.echo) -> None:
    """Upgrade the schema and load the flow library (idempotent)."""
    db = database()
    upgrade(db.engine)
    with db.session() as session:
        loaded = load_library(session, config().FLOWS_DIR)
        session.commit()
    for item in loaded:
        state = "opened" if item.created else ("updated" if item.changed else "unchanged")
        echo(f"consultation {item.slug}: {state}")


def register(app: Flask) -> None:
    @app.cli.command("init")
    def init_command() -> None:
        """Create or upgrade the schema and load and open every flow in flows/library/."""
        try:
            run_init()
        except FlowInvalid as exc:
            for problem in exc.problems:
                click.echo(f"{exc.source}: {problem}", err=True)
            raise SystemExit(1) from exc
        click.echo("database ready")
