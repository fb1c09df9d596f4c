"""`telegram set-webhook URL` and `telegram poll`: connect the bot to Telegram, in production or on a laptop."""

from __future__ import annotations

import asyncio
import re

import click
from flask import Flask, current_app

from bots.errors import SendError
from bots.telegram_client import ALLOWED_UPDATES, TelegramSender
from palabre.extensions import config

# Telegram's rule for the secret_token of setWebhook.
SECRET_RULE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


def register(app: Flask) -> None:
    @app.cli.group("telegram")
    def telegram() -> None:
        """Connect the Telegram bot: register the webhook, or poll for local use."""

    @telegram.command("set-webhook")
    @click.argument("url")
    def set_webhook(url: str) -> None:
        """Ask Telegram to post updates to URL (https://.../telegram/webhook) with TELEGRAM_WEBHOOK_SECRET."""
        settings = config()
        if not settings.TELEGRAM_WEBHOOK_SECRET or not SECRET_RULE.match(settings.TELEGRAM_WEBHOOK_SECRET):
            raise click.ClickException("set TELEGRAM_WEBHOOK_SECRET first: 1 to 256 characters of A-Z, a-z, 0-9, _ and -")
        if not url.startswith("https://"):
            raise click.ClickException("Telegram only posts to https:// URLs, e.g. https://palabre.example.org/telegram/webhook")
        try:
            result = TelegramSender.from_config(settings).set_webhook(url, settings.TELEGRAM_WEBHOOK_SECRET)
        except SendError as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo(f"setWebhook {url} (updates: {', '.join(ALLOWED_UPDATES)}, secret header set): {'ok' if result else result}")

    @telegram.command("poll")
    @click.option("--max-updates", type=int, default=None, hidden=True, help="Stop after this many updates (tests).")
    def poll(max_updates: int | None) -> None:
        """Answer the bot by long polling, without a public URL (this removes the bot's webhook)."""
        from bots.telegram_poll import poll as run

        if not config().TELEGRAM_BOT_TOKEN:
            raise click.ClickException("set TELEGRAM_BOT_TOKEN first (BotFather's /newbot gives it)")
        click.echo("Polling Telegram for updates; Ctrl-C to stop.", err=True)
        try:
            handled = asyncio.run(run(current_app._get_current_object(), max_updates))  # type: ignore[attr-defined]
        except KeyboardInterrupt:
            return
        click.echo(f"{handled} updates handled", err=True)
