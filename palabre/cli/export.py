"""`export SLUG --format csv [-o FILE]`: the responses, without personal identifiers."""

from __future__ import annotations

import sys

import click
from flask import Flask

from palabre.consultations import UnknownConsultation, get_consultation
from palabre.export import write_csv
from palabre.extensions import database


def register(app: Flask) -> None:
    @app.cli.command("export")
    @click.argument("slug")
    @click.option("--format", "fmt", type=click.Choice(["csv"]), default="csv", show_default=True)
    @click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), help="File to write (default: standard output).")
    def export(slug: str, fmt: str, output: str | None) -> None:
        """Export one row per conversation with one column per question."""
        with database().session() as session:
            try:
                consultation = get_consultation(session, slug)
            except UnknownConsultation as exc:
                raise click.ClickException(f"{exc}; run `python app.py init` or check the slug") from exc
            if output:
                with open(output, "w", encoding="utf-8", newline="") as handle:
                    count = write_csv(session, consultation, handle)
                click.echo(f"{count} rows written to {output}", err=True)
            else:
                write_csv(session, consultation, sys.stdout)
