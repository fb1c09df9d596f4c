"""`participants erase` and `participants retention`: the right to erasure, and forgetting addresses in time."""

from __future__ import annotations

import click
from flask import Flask

from models import utcnow
from palabre.erasure import UnknownParticipant, drop_stale_addresses, erase_participant
from palabre.extensions import config, database


def register(app: Flask) -> None:
    @app.cli.group("participants")
    def participants_group() -> None:
        """Citizens' personal data: erasure on request, retention of addresses."""

    @participants_group.command("erase")
    @click.argument("pseudonym")
    def erase_command(pseudonym: str) -> None:
        """Erase a participant's addresses, answers and messages (the pseudonym of exports and dashboards)."""
        with database().session() as session:
            try:
                erased = erase_participant(session, pseudonym, utcnow())
            except UnknownParticipant:
                raise click.ClickException(f"No participant has the pseudonym {pseudonym!r} "
                                           "(it is the 'participant' column of an export).") from None
            session.commit()
        click.echo(f"Erased participant {erased.pseudonym}: {erased.addresses} address(es), {erased.conversations} "
                   f"conversation(s) with {erased.answers} answer(s), {erased.messages} message(s). They will not be "
                   "contacted again; published profile snapshots keep their counts until the next aggregation.")

    @participants_group.command("retention")
    @click.option("--days", type=click.FloatRange(min=0), default=None,
                  help="Days after a consultation closed (default: RETENTION_DAYS, 180).")
    def retention_command(days: float | None) -> None:
        """Drop the addresses of people whose every consultation closed over RETENTION_DAYS ago (run it daily)."""
        keep_days = config().RETENTION_DAYS if days is None else days
        with database().session() as session:
            dropped = drop_stale_addresses(session, keep_days, utcnow())
            session.commit()
        click.echo(f"Dropped {dropped} phone number(s) and chat id(s) of people whose consultations closed over "
                   f"{keep_days:g} days ago.")
