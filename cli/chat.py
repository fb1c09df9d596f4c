"""`chat`: answer a consultation as a citizen, in the terminal, through the same path as real messages."""

from __future__ import annotations

import sys

import click
from flask import Flask

from bots.text import render_messages
from bots.ussd_screen import render_screen
from flows.events import Ask, Event
from palabre import identity
from cli.init_cmd import run_init
from palabre.consultations import UnknownConsultation
from palabre.extensions import config, database
from palabre.inbound import Inbound, after_commit, handle_inbound
from models import utcnow

# A number from the range Ofcom keeps for drama: it can never reach a real person.
DEFAULT_PHONE = "+447700900123"


def render_for_terminal(channel: str, events: list[Event], finished: bool) -> str:
    """What the citizen would see on their channel."""
    if channel == "ussd":
        return ("END " if finished else "CON ") + render_screen(events)
    messages = render_messages(events)
    if channel == "telegram":
        asks = [e for e in events if isinstance(e, Ask)]
        if asks and asks[-1].options:
            messages[-1] = messages[-1] + "\n" + "  ".join(f"[{label}]" for _, label in asks[-1].options)
    return "\n---\n".join(messages)


def register(app: Flask) -> None:
    @app.cli.command("chat")
    @click.option("--channel", type=click.Choice(["sms", "ussd", "telegram"]), default="sms", show_default=True)
    @click.option("--consultation", "slug", help="Slug of the consultation to answer (default: the open one).")
    @click.option("--phone", default=DEFAULT_PHONE, show_default=True, help="The citizen's number, E.164.")
    def chat(channel: str, slug: str | None, phone: str) -> None:
        """Answer a consultation as a citizen: one line of input per message."""
        run_init(echo=lambda _line: None)
        if channel == "telegram":
            scheme, address = identity.TELEGRAM, str(int(identity.address_hash("chat", "tel", phone)[:8], 16))
        else:
            scheme = identity.TEL
            try:
                address = identity.normalise_phone(phone)
            except identity.InvalidAddress as exc:
                raise click.BadParameter(str(exc), param_hint="--phone") from exc
        interactive = sys.stdin.isatty()
        first = True
        while True:
            if first:
                text = ""
            else:
                try:
                    text = input("> " if interactive else "")
                except EOFError:
                    break
                if not interactive:
                    click.echo(f"> {text}")
            inbound = Inbound(channel=channel, scheme=scheme, address=address, text=text, consultation=slug, new_session=first)
            first = False
            with database().session() as session:
                try:
                    outcome = handle_inbound(session, config(), inbound, utcnow())
                except UnknownConsultation as exc:
                    raise click.ClickException(str(exc)) from exc
                session.commit()
            after_commit(outcome)
            shown = render_for_terminal(channel, outcome.events, outcome.finished)
            if shown:
                click.echo(shown)
            if outcome.finished:
                break
