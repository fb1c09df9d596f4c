"""Check that the fields of a Telegram update Palabre reads have the types the Bot API documents.

Facts this module depends on:
- python-telegram-bot's `de_json` builds objects without checking types: a chat id may arrive as a
  string, a float, a list or a 30-digit number. Only what it must convert (dates, nested objects) raises.
- The Bot API documents chat and user ids as Integers with "at most 52 significant bits", and a
  private chat's id is its user's id, a positive number (https://core.telegram.org/bots/api#chat).
- Telegram resends an update until it is answered 2xx, so an update we cannot read is acknowledged and
  dropped, never refused: the reason names the field, never its value (it may be a citizen's id).
"""

from __future__ import annotations

from typing import Any

from telegram import CallbackQuery, Chat, ChatMemberUpdated, Message, Update, User
from telegram.constants import ChatType

# Exclusive bound on a Telegram id's magnitude: "at most 52 significant bits".
ID_LIMIT = 2 ** 52


def problem(update: Update) -> str | None:
    """Where an update differs from what Telegram sends, as 'message.chat.id: not a Telegram id'; None if readable."""
    if update.message is not None:
        return _message("message", update.message)
    if update.callback_query is not None:
        return _query("callback_query", update.callback_query)
    if update.my_chat_member is not None:
        return _member("my_chat_member", update.my_chat_member)
    return None  # a kind of update the bot does not read


def _message(path: str, message: Message) -> str | None:
    found = (_chat(f"{path}.chat", message.chat) or _user(f"{path}.from", message.from_user, optional=True)
             or _typed(f"{path}.text", message.text, str, optional=True))
    if found is None and message.contact is not None:
        contact = message.contact
        found = (_typed(f"{path}.contact.phone_number", contact.phone_number, str)
                 or _id(f"{path}.contact.user_id", contact.user_id, optional=True))
    return found


def _query(path: str, query: CallbackQuery) -> str | None:
    found = (_typed(f"{path}.id", query.id, str) or _user(f"{path}.from", query.from_user)
             or _typed(f"{path}.data", query.data, str, optional=True))
    if found is None and query.message is not None:  # absent under a message sent in inline mode
        found = (_chat(f"{path}.message.chat", query.message.chat)
                 or _typed(f"{path}.message.message_id", query.message.message_id, int))
    return found


def _member(path: str, member: ChatMemberUpdated) -> str | None:
    return (_chat(f"{path}.chat", member.chat) or _user(f"{path}.from", member.from_user)
            or _typed(f"{path}.new_chat_member.status", getattr(member.new_chat_member, "status", None), str))


def _chat(path: str, chat: Any) -> str | None:
    if not isinstance(chat, Chat):
        return f"{path}: missing"
    if problem := _typed(f"{path}.type", chat.type, str) or _id(f"{path}.id", chat.id):
        return problem
    if chat.type == ChatType.PRIVATE and chat.id <= 0:
        return f"{path}.id: not a user's id (negative)"
    return None


def _user(path: str, user: Any, optional: bool = False) -> str | None:
    if user is None and optional:
        return None
    if not isinstance(user, User):
        return f"{path}: missing"
    return (_id(f"{path}.id", user.id)
            or _typed(f"{path}.is_bot", user.is_bot, bool)
            or _typed(f"{path}.language_code", user.language_code, str, optional=True))


def _id(path: str, value: Any, optional: bool = False) -> str | None:
    if value is None and optional:
        return None
    if problem := _typed(path, value, int):
        return problem
    return None if 0 < abs(value) < ID_LIMIT else f"{path}: not a Telegram id (0, or more than 52 bits)"


def _typed(path: str, value: Any, kind: type, optional: bool = False) -> str | None:
    if value is None and optional:
        return None
    # bool is an int in Python, and JSON's true is no number.
    if isinstance(value, kind) and (kind is bool or not isinstance(value, bool)):
        return None
    return f"{path}: {type(value).__name__}, not {kind.__name__}"
