"""Call the Telegram Bot API through python-telegram-bot's Bot, turning every failure into a named error.

Facts this module depends on:
- A Bot's HTTP pool belongs to the event loop it first ran on; reusing it from another loop fails
  with "Event loop is closed" (python-telegram-bot issue #4023). Our callers are synchronous (a
  Flask request, an RQ job, the poller's worker thread). On a process's main thread (a job worker
  or a gunicorn sync worker: where broadcasts are sent) one event loop, HTTP pool and Bot are kept
  and reused: building them took about 60% of each send (0.13 s against 0.05 s per message on a
  local fake API), which capped a worker near 8 Telegram messages a second, a quarter of what
  Telegram allows. Any other thread runs `asyncio.run` with its own Bot and pool per call, opened
  and shut down inside that loop (threads come and go; their loops must not be left open). Never
  call these methods from a running event loop; the poller uses a thread.
- `Bot.initialize()` (what `async with bot` does) calls getMe to learn the bot's own name; sending
  does not need it, and an RQ worker forks a process per job, so a Bot kept per process would still
  call it before every send. We open only the HTTP pool: one Bot API call per send.
- Telegram allows about 30 messages per second overall and 1 per second per chat, and answers 429
  with parameters.retry_after (seconds) when we go faster: that is `Throttled`, retried later.
- 403 means we may not write to this chat: "bot was blocked by the user", "user is deactivated".
- A Bot API URL holds the bot token; httpx logs each URL at INFO, and python-telegram-bot logs
  every call's parameters (chat ids) at DEBUG: neither belongs in our logs.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import logging
import os
import threading
import warnings
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Awaitable, Callable, NoReturn, Sequence, TypeVar

import httpx
from telegram import Bot, InlineKeyboardMarkup, ReplyKeyboardMarkup, ReplyKeyboardRemove
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, RetryAfter, TelegramError
from telegram.request import HTTPXRequest

from bots.errors import ChannelNotConfigured, ContactOptedOut, MaybeSent, NotSent, SendFailed, Throttled
from palabre.config import Config


class _WithoutArguments(logging.Filter):
    """Keep a python-telegram-bot log line but not its arguments: they can quote raw updates (chat ids)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            record.msg, record.args = f"{record.msg} (arguments withheld)", ()
        return True


for _noisy in ("httpx", "telegram"):
    logging.getLogger(_noisy).setLevel(logging.WARNING)
for _bot_logger in ("telegram.Bot", "telegram.ext.ExtBot"):  # e.g. "Error while parsing updates! Received data was %r"
    logging.getLogger(_bot_logger).addFilter(_WithoutArguments())

log = logging.getLogger(__name__)

ReplyMarkup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove
T = TypeVar("T")
# Seconds. Telegram answers in well under a second; a worker or a webhook must not hang on it.
CONNECT_TIMEOUT, READ_TIMEOUT = 5.0, 10.0
# The updates the bot is for; Telegram then does not even send edits, channel posts or group events.
# my_chat_member tells us when a user blocks the bot (status "kicked"): they are opted out at once.
ALLOWED_UPDATES = ("message", "callback_query", "my_chat_member")


def _no_markup(_message_id: int) -> ReplyMarkup | None:
    return None


@dataclass(frozen=True)
class TelegramSender:
    """A `palabre.outbound.Sender` for Telegram, and the few other calls the bot makes."""

    token: str
    base_url: str = "https://api.telegram.org/bot"
    # The buttons of a queued message, rebuilt from the database by id (see bots.telegram_markup).
    markup_for: Callable[[int], ReplyMarkup | None] = field(default=_no_markup, compare=False)

    @classmethod
    def from_config(cls, config: Config) -> TelegramSender:
        """A sender configured from the settings; ChannelNotConfigured without a bot token."""
        if not config.TELEGRAM_BOT_TOKEN:
            raise ChannelNotConfigured("Telegram needs TELEGRAM_BOT_TOKEN (from @BotFather)")
        from bots.telegram_markup import stored_markup

        return cls(config.TELEGRAM_BOT_TOKEN, config.TELEGRAM_API_URL.rstrip("/"), stored_markup)

    def send(self, address: str, text: str, message_id: int) -> str:
        """Send one queued message to a chat, with its buttons; return an id unique among our messages."""
        markup = self.markup_for(message_id)
        sent = self._call(lambda bot: bot.send_message(chat_id=int(address), text=text, reply_markup=markup))
        # Telegram's message_id counts per chat: only with our own id is it unique.
        return f"telegram-{message_id}-{sent.message_id}"

    def answer_callback(self, query_id: str, text: str | None = None) -> None:
        """Stop the spinner on a pressed button, with a short notice when there is something to say."""
        self._call(lambda bot: bot.answer_callback_query(query_id, text=text))

    def edit_keyboard(self, chat_id: str, message_id: int, markup: InlineKeyboardMarkup) -> None:
        """Replace the buttons under a message we sent (a multi-choice box ticked)."""
        self._call(lambda bot: bot.edit_message_reply_markup(chat_id=int(chat_id), message_id=message_id, reply_markup=markup))

    def set_webhook(self, url: str, secret: str, allowed_updates: Sequence[str] = ALLOWED_UPDATES) -> bool:
        """Ask Telegram to post updates to `url` with the secret header."""
        return self._call(lambda bot: bot.set_webhook(url, secret_token=secret, allowed_updates=list(allowed_updates)))

    def _call(self, action: Callable[[Bot], Awaitable[T]]) -> T:
        async def run() -> T:
            async with HTTPXRequest(connect_timeout=CONNECT_TIMEOUT, read_timeout=READ_TIMEOUT) as request:
                # Not `async with Bot(...)`: that would call getMe first (see above). A wrong token is
                # still told apart: Telegram answers the call itself 401 or 404, which is InvalidToken.
                return await action(Bot(self.token, base_url=self.base_url, request=request, get_updates_request=request))

        kept = _KeptBot.for_main_thread(self.token, self.base_url)
        try:
            return kept.run(action) if kept is not None else asyncio.run(run())
        except (NetworkError, TelegramError) as exc:
            if kept is not None and isinstance(exc, NetworkError) and not isinstance(exc, BadRequest):
                _KeptBot.discard()  # a pool that lost its connection starts afresh
            _raise_named(exc)
        except Exception as exc:  # not Telegram's: a bug, or RQ's job timeout arriving mid-call
            if kept is not None:
                _KeptBot.discard()  # the loop may hold the interrupted call
            raise MaybeSent(f"{type(exc).__name__} during the call to Telegram; it may have been sent") from exc


class _KeptBot:
    """The main thread's event loop, HTTP pool and Bot, kept between calls (see the module's notes)."""

    _current: _KeptBot | None = None

    def __init__(self, token: str, base_url: str):
        # With the process id: a forked child must not share its parent's sockets.
        self.key = (token, base_url, os.getpid())
        self.loop = asyncio.new_event_loop()
        self.request = HTTPXRequest(connect_timeout=CONNECT_TIMEOUT, read_timeout=READ_TIMEOUT)
        self.loop.run_until_complete(self.request.initialize())
        self.bot = Bot(token, base_url=base_url, request=self.request, get_updates_request=self.request)

    @classmethod
    def for_main_thread(cls, token: str, base_url: str) -> _KeptBot | None:
        """The kept Bot for this token and API, or None off the main thread or inside a running loop."""
        if threading.current_thread() is not threading.main_thread():
            return None
        with contextlib.suppress(RuntimeError):  # raised when no loop runs here: the usual case
            asyncio.get_running_loop()
            return None  # inside a running loop asyncio.run would refuse too: let it say so
        if cls._current is not None and cls._current.key[2] != os.getpid():
            cls._current = None  # the parent's: leave its loop and sockets alone
        if cls._current is not None and cls._current.key != (token, base_url, os.getpid()):
            cls.discard()
        if cls._current is None:
            cls._current = cls(token, base_url)
        return cls._current

    def run(self, action: Callable[[Bot], Awaitable[T]]) -> T:
        return self.loop.run_until_complete(action(self.bot))

    @classmethod
    def discard(cls) -> None:
        kept, cls._current = cls._current, None
        if kept is None:
            return
        try:
            with contextlib.suppress(Exception):  # closing a pool that may be broken: nothing more to do
                kept.loop.run_until_complete(kept.request.shutdown())
        finally:
            kept.loop.close()


atexit.register(_KeptBot.discard)


def _raise_named(exc: TelegramError) -> NoReturn:
    """Raise Telegram's error as the named error the outbox and the bot handle."""
    if isinstance(exc, RetryAfter):
        raise Throttled("Telegram asks us to slow down (429)", _seconds(exc)) from exc
    if isinstance(exc, Forbidden):
        raise ContactOptedOut(f"Telegram refused: {exc.message}") from exc
    if isinstance(exc, InvalidToken):
        raise ChannelNotConfigured("Telegram rejected TELEGRAM_BOT_TOKEN") from exc
    if isinstance(exc, BadRequest):  # a NetworkError subclass: check it first
        raise SendFailed(f"Telegram refused the request: {exc.message}", retryable=False, status=400) from exc
    if isinstance(exc, NetworkError):  # timeouts, 5xx, connection refused
        raise _network_error(exc) from exc
    raise SendFailed(f"Telegram error: {exc.message}", retryable=False) from exc


def _network_error(exc: NetworkError) -> SendFailed:
    """Retry when the request never left or Telegram answered an error; otherwise it may have been sent.

    python-telegram-bot raises NetworkError from the httpx exception when there was no answer
    (TimedOut is one), and without a cause when Telegram answered 5xx.
    """
    cause = exc.__cause__
    if cause is None or isinstance(cause, (TelegramError, httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)):
        return NotSent(f"Telegram unreachable: {exc.message}")
    # A read timeout or a connection cut after the request was written: Telegram may have sent it.
    return MaybeSent(f"no answer from Telegram ({type(cause).__name__}); it may have been sent")


def _seconds(exc: RetryAfter) -> float:
    with warnings.catch_warnings():  # ptb 22 warns that retry_after becomes a timedelta
        warnings.simplefilter("ignore")
        value: Any = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
