"""`invite SLUG --numbers FILE` and `remind SLUG`: reach citizens first, and nudge those who stopped mid-way."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import click
from flask import Flask

from bots.voice_cost import call_estimates
from cli.flows_cmd import plural
from models import OPEN, utcnow
from palabre.consultations import UnknownConsultation, flow_of, get_consultation
from palabre.extensions import config, database
from palabre.identity import InvalidAddress, dialable_phone, mask
from palabre.invitations import INVITED, QUEUED_AGAIN, invitation_text, invite, read_numbers
from palabre.voice_calls import CALL_TEXT
from workers.calls import queue_call
from workers.outbox import waiting
from workers.reminders import send_reminders
from workers.send import queue_send


def register(app: Flask) -> None:
    @app.cli.command("invite")
    @click.argument("slug")
    @click.option("--numbers", "numbers_file", required=True, type=click.Path(exists=True, dir_okay=False),
                  help="A CSV with a 'phone' column, or one number per line (+country, or local with PHONE_REGION).")
    @click.option("--channel", type=click.Choice(["sms", "whatsapp", "voice"]), default="sms", show_default=True,
                  help="How to send the invitation (WhatsApp needs WHATSAPP_TEMPLATE_SID; voice calls the number, "
                       "VOICE_CALLS_PER_SECOND at a time).")
    def invite_command(slug: str, numbers_file: str, channel: str) -> None:
        """Invite every number of a file to a consultation, once each, skipping those who opted out.

        Numbers in no range that exists are refused, line by line with the reason: an SMS to one costs money and
        may reach a stranger.
        """
        settings = config()
        if channel == "whatsapp" and not settings.WHATSAPP_TEMPLATE_SID:
            raise click.ClickException(
                "WhatsApp lets a business write first only with a template Meta approved: set WHATSAPP_TEMPLATE_SID "
                "(a Twilio Content SID, HX...) whose one variable {{1}} carries the invitation. Nothing was sent.")
        with database().session() as session:
            consultation = _open_consultation(session, slug)
            try:
                text = CALL_TEXT if channel == "voice" else invitation_text(flow_of(consultation), channel=channel)
            except ValueError as exc:
                raise click.ClickException(str(exc)) from exc
        rows = list(read_numbers(Path(numbers_file).read_text(encoding="utf-8-sig", errors="replace")))
        counts: Counter[str] = Counter()
        refused: list[str] = []
        seen: set[str] = set()
        with click.progressbar(rows, label=f"Inviting to {slug}", show_pos=True) as bar:
            for line, raw in bar:
                try:
                    address = dialable_phone(raw, settings.PHONE_REGION)
                except InvalidAddress as exc:  # its message says why and never quotes the number
                    refused.append(f"line {line}: {exc} ({mask(raw)})")  # nor do we: two characters of it
                    continue
                if address in seen:
                    counts["repeated in the file"] += 1
                    continue
                seen.add(address)
                with database().session() as session:
                    invited = invite(session, settings, consultation, text, address, utcnow(), channel)
                    session.commit()
                counts[invited.outcome] += 1
                if invited.message_id is not None and invited.outcome in (INVITED, QUEUED_AGAIN):
                    if channel == "voice":  # spread out: Twilio places an account's calls at a set rate
                        queue_call(invited.message_id, counts[INVITED] + counts[QUEUED_AGAIN] - 1,
                                   settings.VOICE_CALLS_PER_SECOND)
                    else:
                        queue_send(invited.message_id)
        click.echo("Invitation: a call, the consultation by keypad" if channel == "voice" else
                   f"Invitation ({len(text)} characters): {text}")
        others = [f"{n} {what}" for what, n in sorted(counts.items()) if what != INVITED]
        click.echo(", ".join([f"{counts[INVITED]} invited", *others, f"{len(refused)} refused"]))
        placed = counts[INVITED] + counts[QUEUED_AGAIN]
        if channel == "voice" and placed:
            with database().session() as session:
                longest = max(call_estimates(flow_of(get_consultation(session, slug))), key=lambda call: call.seconds)
            per_minute, currency = settings.VOICE_PRICE_PER_MINUTE, settings.SMS_PRICE_CURRENCY
            click.echo(f"Estimated cost: at most {placed * longest.cost(per_minute):,.2f} {currency} if all {placed} calls "
                       f"are answered to the end ({plural(longest.billed_minutes, 'billed minute')} each at {per_minute:g} {currency} "
                       "a minute, VOICE_PRICE_PER_MINUTE); unanswered calls cost nothing")
        for problem in refused:
            click.echo(problem, err=True)
        _say_what_waits(settings)

    @app.cli.command("remind")
    @click.argument("slug")
    def remind_command(slug: str) -> None:
        """Nudge once, before expiry, everyone whose conversation stopped mid-way (run it from cron)."""
        with database().session() as session:
            consultation = _open_consultation(session, slug)
        count = send_reminders(consultation.id)
        settings = config()
        click.echo(f"{count} reminders queued (conversations idle {settings.REMINDER_AFTER_HOURS:g} to "
                   f"{settings.CONVERSATION_IDLE_HOURS:g} hours, each reminded once).")
        _say_what_waits(settings)


def _say_what_waits(settings) -> None:
    """With no RQ worker, point at the command that retries what failed for now."""
    if settings.REDIS_URL:
        return
    with database().session() as session:
        pending = waiting(session)
    if pending.count:
        click.echo(f"{pending.count} messages failed for now: `python app.py outbox retry --wait` (or the same "
                   "without --wait, from cron) sends them once their backoff is over.")


def _open_consultation(session, slug: str):
    try:
        consultation = get_consultation(session, slug)
    except UnknownConsultation as exc:
        raise click.ClickException(f"{exc}; run `python app.py init` or check the slug") from exc
    if consultation.status != OPEN:
        raise click.ClickException(f"consultation {slug} is {consultation.status}, not open: nobody can answer it")
    return consultation
