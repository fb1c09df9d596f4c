"""Telegram updates as a citizen sends them: real payloads from tests/data/telegram/, posted to the webhook."""

from __future__ import annotations

import copy
import itertools
import json
import re
from pathlib import Path

from sqlalchemy import func, select

from fakes.fake_telegram import Call, FakeTelegram
from models import Answer

DATA = Path(__file__).resolve().parent.parent / "data" / "telegram"
TOKEN = "123456789:AAF-test-token_for-the-fake-bot-api"
SECRET = "test-webhook-secret_0123456789"
USER_ID = 5550001234  # the chat id of data/telegram/*.json: must never reach an export or a log
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def load_update(name: str, **changes) -> dict:
    """A real Update payload from tests/data/telegram/, with top-level or message fields changed."""
    update = json.loads((DATA / f"{name}.json").read_text())
    for key, value in changes.items():
        if key == "update_id":
            update[key] = value
        else:
            body = update.get("message") or update.get("callback_query")
            body[key] = value
    return update


class Citizen:
    """A Telegram user writing to the bot in a private chat, through the webhook."""

    update_ids = itertools.count(900_000_001)

    def __init__(self, client, fake: FakeTelegram, user_id: int = USER_ID, language_code: str | None = "fr"):
        self.client, self.fake, self.user_id, self.language_code = client, fake, user_id, language_code

    def post(self, update: dict, secret: str | None = SECRET):
        headers = {SECRET_HEADER: secret} if secret is not None else {}
        return self.client.post("/telegram/webhook", json=update, headers=headers)

    def _person(self, body: dict) -> dict:
        person = copy.deepcopy(body)
        person["id"] = self.user_id
        if self.language_code is None:
            person.pop("language_code", None)
        else:
            person["language_code"] = self.language_code
        return person

    def message_update(self, name: str, **fields) -> dict:
        """A message update from this user: a data file with a fresh update_id."""
        update = load_update(name, update_id=next(self.update_ids))
        message = update["message"]
        message["from"] = self._person(message["from"])
        message["chat"]["id"] = self.user_id
        message.update(fields)
        return update

    def says(self, text: str):
        """Send a text message (or a command)."""
        return self.post(self.message_update("text", text=text))

    def sends(self, name: str, **fields):
        """Send one of the data files as this user (sticker, photo, contact...)."""
        return self.post(self.message_update(name, **fields))

    def share_contact(self, phone: str, owner: int | None = None):
        update = self.message_update("contact")
        update["message"]["contact"].update(phone_number=phone, user_id=self.user_id if owner is None else owner)
        return self.post(update)

    def press_data(self, data: str, message_id: int = 5001):
        return self.post(self.press_update(data, message_id))

    def press_update(self, data: str, message_id: int = 5001) -> dict:
        """A callback query from this user, as if they pressed a button with this data."""
        update = load_update("callback_query", update_id=next(self.update_ids))
        query = update["callback_query"]
        query["from"] = self._person(query["from"])
        query["message"]["chat"]["id"] = self.user_id
        query["message"]["message_id"] = message_id
        query["data"] = data
        return update

    def last_keyboard_message(self) -> Call:
        """The latest message sent to this user that carries inline buttons."""
        return next(call for call in reversed(self.fake.sent) if call.params["chat_id"] == str(self.user_id) and call.buttons)

    def tap(self, label: str):
        """Press the button with this text on the latest message that has buttons, as Telegram would."""
        message = self.last_keyboard_message()
        message_id = message.result["message_id"]
        edits = [c for c in self.fake.called("editMessageReplyMarkup") if c.params["message_id"] == str(message_id)]
        buttons = edits[-1].buttons if edits else message.buttons  # a multi-choice keyboard is edited in place
        button = next((b for b in buttons if label in (b["text"], plain(b["text"]))), None)
        assert button is not None, f"no button {label!r} in {[b['text'] for b in buttons]}"
        return self.press_data(button["callback_data"], message_id=message_id)


def plain(label: str) -> str:
    """A button's text without its tick box or number: '☑ 2. An association' -> 'An association'."""
    return re.sub(r"^(?:[☐☑✅] )?(?:\d+\. )?", "", label)


def texts_to(fake: FakeTelegram, user_id: int = USER_ID) -> list[str]:
    return [call.params["text"] for call in fake.sent if call.params["chat_id"] == str(user_id)]


def count(db, model, *where) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def answers(db) -> dict:
    """Every stored answer, question id -> value."""
    with db.session() as session:
        return {a.question_id: a.value for a in session.scalars(select(Answer))}
