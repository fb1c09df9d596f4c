"""`responses import`: questionnaires collected on enumerators' tablets (KoboToolbox, ODK Central) or on paper."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask

from models import utcnow
from palabre.consultations import UnknownConsultation, get_consultation
from palabre.extensions import config, database
from palabre.imports.collectors import short_pseudonym
from palabre.imports.rows import OFFLINE_CHANNELS, ImportRefused
from palabre.imports.store import Progress, prepare, store


def register(app: Flask) -> None:
    @app.cli.group("responses")
    def responses() -> None:
        """Responses collected away from the phone channels."""

    @responses.command("import")
    @click.argument("slug")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False))
    @click.option("--channel", type=click.Choice(OFFLINE_CHANNELS),
                  help="How they were collected (default: assisted for KoboToolbox and ODK Central files, paper for "
                       "Palabre's layout).")
    @click.option("--skip-invalid", is_flag=True, help="Store the valid rows and list the others (default: store nothing "
                                                         "when any row has a problem).")
    def import_responses(slug: str, file: str, channel: str | None, skip_invalid: bool) -> None:
        """Import a KoboToolbox or ODK Central submissions export, or Palabre's export layout (CSV or XLSX)."""
        now = utcnow()
        data = Path(file).read_bytes()
        with database().session() as session:
            try:
                consultation = get_consultation(session, slug)
                with _bar("Checking") as progress:
                    prepared = prepare(consultation, data, file, now, channel, progress,
                                       pseudonym_key=config().PSEUDONYM_KEY)
            except (UnknownConsultation, ImportRefused) as exc:
                raise click.ClickException(f"{file}: {exc}") from None
            click.echo(f"{file}: {prepared.layout.name} layout, {prepared.rows} rows: {len(prepared.valid)} valid, "
                       f"{len(prepared.invalid_rows)} with problems, {len(prepared.skipped)} left out.")
            for problem in [*prepared.skipped, *prepared.problems]:
                click.echo(f"{file}: {problem}", err=True)
            if prepared.problems and not skip_invalid:
                raise click.ClickException(
                    f"nothing stored: {len(prepared.invalid_rows)} rows have problems; correct them, or store the "
                    f"{len(prepared.valid)} valid rows with --skip-invalid")
            with _bar("Storing") as progress:
                result = store(session, config(), consultation, prepared, now, progress)
        channels = ", ".join(f"{name} {count}" for name, count in sorted(prepared.channels.items()))
        click.echo(f"stored {result.stored} new responses into {slug}; {result.already} were already imported "
                   f"(valid rows by channel: {channels or 'none'}).")
        named = [(short_pseudonym(p), n) for p, n in prepared.by_enumerator if p]
        if named:  # by pseudonym: the file's names and accounts are never printed
            click.echo("valid rows by enumerator (pseudonym): " + ", ".join(f"{p} {n}" for p, n in named) + ".")


class _bar:
    """A progress bar on a terminal (a big file takes a while), nothing when the output is piped."""

    def __init__(self, label: str):
        self.label, self.bar, self.shown = label, None, 0

    def __enter__(self) -> Progress | None:
        return self.advance if sys.stdout.isatty() else None

    def advance(self, done: int, total: int) -> None:
        if self.bar is None:
            self.bar = click.progressbar(length=total, label=self.label).__enter__()
        self.bar.update(done - self.shown)
        self.shown = done

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)
