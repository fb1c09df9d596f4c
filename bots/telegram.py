"""Telegram: the webhook, and `handle_update`, the one path both the webhook and the poller take.

Facts this module depends on:
- Telegram posts each Update as JSON; with a secret registered by setWebhook it sends it back in
  the X-Telegram-Bot-Api-Secret-Token header, the only proof a request comes from Telegram.
- Telegram retries an update until it is answered 2xx, so a repeated update_id must change nothing,
  and an update we cannot read is acknowledged (200) and logged, never refused: a refusal comes back.
- A pressed inline button shows a spinner until answerCallbackQuery; that is answered at once,
  while replies are queued and sent by the send job (inline without Redis, by an RQ worker with it).
"""

from __future__ import annotations

import hmac
import json
import logging
from datetime import datetime

from flask import Blueprint, abort, request
from telegram import Update

from bots.errors import ChannelNotConfigured, SendError
from bots.telegram_client import TelegramSender
from bots.telegram_updates import Handled, process_update
from models import utcnow
from palabre.config import Config
from palabre.db import Database
from palabre.extensions import config, database
from palabre.inbound import after_commit
from workers.send import queue_send

log = logging.getLogger(__name__)

bp = Blueprint("telegram", __name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


@bp.post("/telegram/webhook")
def webhook() -> tuple[str, int]:
    """Take one update from Telegram: check the secret, handle it, acknowledge; replies follow by the send job."""
    settings = config()
    _check_secret(settings.TELEGRAM_WEBHOOK_SECRET)
    update = _parse_update(request.get_data())
    if update is not None:
        handle_update(settings, database(), update, utcnow())
    return "", 200


def handle_update(settings: Config, db: Database, update: Update, now: datetime) -> Handled:
    """Handle an update in its own transaction, then acknowledge it and send the replies."""
    with db.session() as session:
        handled = process_update(session, settings, update, now)
        session.commit()
    if handled.outcome is not None:
        after_commit(handled.outcome)
    acknowledge(settings, handled)
    for message_id in handled.message_ids:
        queue_send(message_id)
    return handled


def acknowledge(settings: Config, handled: Handled) -> None:
    """Answer the pressed button and redraw ticked boxes now; a failure here loses no reply."""
    if handled.callback_id is None and handled.edit is None:
        return
    try:
        client = TelegramSender.from_config(settings)
        if handled.callback_id is not None:
            client.answer_callback(handled.callback_id, handled.callback_text)
        if handled.edit is not None:
            client.edit_keyboard(handled.edit.chat_id, handled.edit.message_id, handled.edit.markup)
    except ChannelNotConfigured as exc:
        log.warning("telegram: button not acknowledged: %s", exc)
    except SendError as exc:  # e.g. "query is too old" after a slow answer: the reply still goes out
        log.warning("telegram: button not acknowledged (%s): %s", type(exc).__name__, exc)


def _check_secret(expected: str | None) -> None:
    if not expected:
        log.warning("Telegram update refused: TELEGRAM_WEBHOOK_SECRET is not set")
        abort(403, "Telegram updates are refused until TELEGRAM_WEBHOOK_SECRET is set (then run telegram set-webhook).")
    given = request.headers.get(SECRET_HEADER, "")
    if not hmac.compare_digest(given.encode(), expected.encode()):
        abort(403, f"{SECRET_HEADER} is missing or wrong.")


def _parse_update(body: bytes) -> Update | None:
    """The update posted; None for an update whose fields do not read (logged); 400 for what is no update at all."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):  # RecursionError: nested too deep (thousands of levels) to parse
        abort(400, "The body is not JSON: Telegram posts one Update object.")
    update_id = data.get("update_id") if isinstance(data, dict) else None
    if not isinstance(update_id, int) or isinstance(update_id, bool):
        abort(400, "Not a Telegram Update: an object with an integer update_id is expected.")
    try:
        # No Bot given: nothing here calls shortcuts such as message.reply_text; replies are queued.
        return Update.de_json(data, None)
    except Exception as exc:  # de_json raises whatever a malformed field causes: TypeError, KeyError...
        # The type only: the message may quote the field's value, a citizen's id.
        log.warning("telegram update ignored: its fields do not read (%s)", type(exc).__name__)
        return None
