"""`outbox status` and `outbox retry`: see what is waiting to go out, and send what failed for now once it is due."""

from __future__ import annotations

import time
from datetime import timedelta

import click
from flask import Flask

from models import OutboundMessage, utcnow
from palabre.extensions import config, database
from workers.outbox import due, status_counts, waiting, with_workers
from workers.send import SEND_RETRY_INTERVALS, queue_send


def register(app: Flask) -> None:
    @app.cli.group("outbox")
    def outbox_group() -> None:
        """Outbound messages: invitations, reminders, feedback and Telegram replies."""

    @outbox_group.command("status")
    def status_command() -> None:
        """Count messages by status, say when the next retry is due and how many may have gone out or not."""
        with database().session() as session:
            counts, pending = status_counts(session), waiting(session)
        if not counts:
            click.echo("No outbound message yet.")
        for status, count in sorted(counts.items()):
            click.echo(f"{status:<12}{count:>8}")
        if pending.count:
            click.echo(f"{pending.count} failed for now and will be tried again; the first is due at "
                       f"{pending.next_due:%Y-%m-%d %H:%M:%S} UTC.")
        if counts.get(OutboundMessage.UNKNOWN):
            click.echo(f"{counts[OutboundMessage.UNKNOWN]} may have gone out or not (the platform did not answer): check its log "
                       "(Twilio's Messaging logs, or ask the citizen); they are never sent again by themselves.")

    @outbox_group.command("retry")
    @click.option("--wait", is_flag=True,
                  help="Stay while retries fall due, up to the length of the backoff schedule (about 9 minutes).")
    def retry_command(wait: bool) -> None:
        """Send the messages that failed for now and are due again (needed when REDIS_URL is unset)."""
        if config().REDIS_URL:
            click.echo("REDIS_URL is set: RQ workers retry by themselves; due messages are queued to them.")
        deadline = utcnow() + timedelta(seconds=sum(SEND_RETRY_INTERVALS) + 60)
        total = 0
        while True:
            total += _send_due()
            with database().session() as session:
                pending = waiting(session)
            if not wait or pending.next_due is None or pending.next_due > deadline:
                break
            pause = max(0.0, (pending.next_due - utcnow()).total_seconds())
            click.echo(f"{pending.count} waiting; the next is due in {pause:.0f} s.")
            time.sleep(min(pause, 60.0) + 0.05)
        with database().session() as session:
            pending = waiting(session)
        left = f", {pending.count} still waiting for a retry" if pending.count else ""
        click.echo(f"{total} due messages handed to the send job{left}.")


def _send_due() -> int:
    with database().session() as session:
        ids = due(session, utcnow())
    held = with_workers(ids)
    ids = [m for m in ids if m not in held]  # RQ will send those itself
    if not ids:
        return 0
    with click.progressbar(ids, label="Sending due messages", show_pos=True) as bar:
        for message_id in bar:
            queue_send(message_id)
    return len(ids)
