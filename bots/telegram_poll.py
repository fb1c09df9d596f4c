"""Long polling with python-telegram-bot's Application, for a laptop without a public URL.

The Application only fetches updates (getUpdates) on its event loop. Each update is then handled
by `bots.telegram.handle_update`, the webhook's own path, in a worker thread: that path is
synchronous (database, jobs) and calls Telegram with a Bot of its own per event loop, never the
Application's (a Bot must not cross event loops: python-telegram-bot issue #4023).
Starting to poll deletes the bot's webhook: Telegram delivers updates one way or the other.
"""

from __future__ import annotations

import asyncio
import logging
import traceback
from datetime import timedelta

from flask import Flask
from telegram import Update
from telegram.ext import Application, ContextTypes, TypeHandler

from bots.errors import ChannelNotConfigured
from bots.telegram import handle_update
from bots.telegram_client import ALLOWED_UPDATES
from models import utcnow

log = logging.getLogger(__name__)

# Telegram holds a getUpdates open this long when there is nothing new (a long poll).
LONG_POLL_SECONDS = 30


async def poll(app: Flask, max_updates: int | None = None, long_poll_seconds: float = LONG_POLL_SECONDS) -> int:
    """Fetch and handle updates until cancelled (Ctrl-C) or `max_updates` are handled; return how many were."""
    settings = app.extensions["palabre.config"]
    if not settings.TELEGRAM_BOT_TOKEN:
        raise ChannelNotConfigured("Telegram needs TELEGRAM_BOT_TOKEN (from @BotFather)")
    application = Application.builder().token(settings.TELEGRAM_BOT_TOKEN).base_url(settings.TELEGRAM_API_URL.rstrip("/")).build()
    enough = asyncio.Event()
    handled = 0

    async def on_update(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        nonlocal handled
        await asyncio.to_thread(_handle, app, update)
        handled += 1
        if max_updates is not None and handled >= max_updates:
            enough.set()

    application.add_handler(TypeHandler(Update, on_update))
    async with application:
        await application.start()
        await application.updater.start_polling(  # type: ignore[union-attr]
            timeout=timedelta(seconds=long_poll_seconds), allowed_updates=list(ALLOWED_UPDATES))
        try:
            await enough.wait()
        finally:
            await application.updater.stop()  # type: ignore[union-attr]
            await application.stop()
    return handled


def _handle(app: Flask, update: Update) -> None:
    """Handle one update as the webhook would; a failure is logged and polling goes on."""
    with app.app_context():
        try:
            handle_update(app.extensions["palabre.config"], app.extensions["palabre.database"], update, utcnow())
        except Exception as exc:  # one bad update must not stop the bot
            # The type and the stack, not the message: it can quote a citizen's text or number.
            log.error("telegram update not handled: %s\n%s", type(exc).__name__, "".join(traceback.format_tb(exc.__traceback__)))
