"""Sending through python-telegram-bot's Bot: named errors, the send job's policy, buttons rebuilt from ids."""

from __future__ import annotations

import os
import re
import secrets
import socket

import pytest
import redis
from rq import Queue
from rq.job import Job
from sqlalchemy import select
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from app import create_app
from bots.errors import ChannelNotConfigured, ContactOptedOut, SendFailed, Throttled
from bots.telegram_client import TelegramSender
from fakes.telegram_updates import TOKEN, USER_ID, Citizen, texts_to
from models import OutboundMessage, Participant
from workers.queue import Queues

# RQ names a send job after its message id (send-1, send-2...), and every test run restarts ids at 1:
# on the shared test database this test would overwrite other tests' jobs, so it takes one of its own.
REDIS_URL = re.sub(r"/\d+$", "", os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")) + "/14"
KEYBOARD = InlineKeyboardMarkup([[InlineKeyboardButton("Oui", callback_data="a:0123abcd:1")]])


@pytest.fixture
def sender(fake_telegram):
    return TelegramSender(TOKEN, fake_telegram.api_url, markup_for=lambda _id: KEYBOARD)


def test_a_message_goes_out_with_the_buttons_of_its_id_and_a_unique_external_id(sender, fake_telegram):
    assert sender.send(str(USER_ID), "Bonjour", 42) == "telegram-42-5001"
    assert sender.send(str(USER_ID), "Encore", 43) == "telegram-43-5002"  # a second event loop, a second Bot
    first, second = fake_telegram.sent
    assert first.params == {"chat_id": str(USER_ID), "text": "Bonjour", "reply_markup": KEYBOARD.to_dict()}
    assert second.params["text"] == "Encore"


def test_each_send_is_one_sendmessage_call_without_a_getme_before_it(sender, fake_telegram, citizen):
    # Telegram allows about 30 calls a second: a getMe before each send would halve what reaches citizens.
    for message_id in range(1, 6):
        sender.send(str(USER_ID), f"Message {message_id}", message_id)
    assert len(fake_telegram.sent) == 5 and len(fake_telegram.called("getMe")) <= 1
    fake_telegram.clear()
    for step in ("/start", "Francais", "Oui"):
        citizen.says(step) if step.startswith("/") else citizen.tap(step)
    assert len(fake_telegram.sent) == 4 and len(fake_telegram.called("answerCallbackQuery")) == 2
    assert len(fake_telegram.called("getMe")) <= 1


@pytest.mark.parametrize("status, error, retryable", [
    (403, ContactOptedOut, False), (400, SendFailed, False), (500, SendFailed, True),
])
def test_each_refusal_becomes_a_named_error_with_its_policy(sender, fake_telegram, status, error, retryable):
    fake_telegram.fail_next("sendMessage", status)
    with pytest.raises(error) as caught:
        sender.send(str(USER_ID), "Bonjour", 1)
    assert caught.value.retryable is retryable
    assert str(USER_ID) not in str(caught.value)


def test_flood_control_carries_telegrams_delay(sender, fake_telegram):
    fake_telegram.fail_next("sendMessage", 429, retry_after=7)
    with pytest.raises(Throttled) as caught:
        sender.send(str(USER_ID), "Bonjour", 1)
    assert caught.value.retry_after == 7.0


def test_a_rejected_token_or_none_at_all_means_not_configured(fake_telegram, settings):
    with pytest.raises(ChannelNotConfigured):
        TelegramSender("999:wrong", fake_telegram.api_url).send(str(USER_ID), "Bonjour", 1)
    with pytest.raises(ChannelNotConfigured):
        TelegramSender.from_config(settings.replace(TELEGRAM_BOT_TOKEN=None))


def test_an_unreachable_api_is_worth_retrying():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(SendFailed) as caught:
        TelegramSender(TOKEN, f"http://127.0.0.1:{port}/bot").send(str(USER_ID), "Bonjour", 1)
    assert caught.value.retryable


def test_when_telegram_throttles_the_reply_stays_queued_with_the_delay(citizen, db, fake_telegram):
    fake_telegram.fail_next("sendMessage", 429, retry_after=7)
    assert citizen.says("/start").status_code == 200
    with db.session() as session:
        first = session.scalars(select(OutboundMessage).order_by(OutboundMessage.id)).first()
    assert first.status == "queued" and first.error == "throttled, retry after 7.0 s"


def test_a_user_who_blocked_the_bot_is_opted_out_and_sent_nothing_more(citizen, db, fake_telegram):
    citizen.says("/start")
    fake_telegram.fail_next("sendMessage", 403)
    citizen.says("1")
    with db.session() as session:
        assert session.scalar(select(Participant)).opted_out
        last = session.scalars(select(OutboundMessage).order_by(OutboundMessage.id.desc())).first()
    assert last.status == "failed" and "blocked" in last.error
    sent = len(fake_telegram.sent)
    citizen.says("oui")
    assert len(fake_telegram.sent) == sent


def test_with_redis_a_worker_sends_and_rebuilds_the_buttons_from_the_message_id(loaded, settings, db, fake_telegram, monkeypatch):
    # And a queue of its own, should two runs of this test meet.
    monkeypatch.setattr(Queues, "SEND", f"send-test-{secrets.token_hex(4)}")
    app = create_app(settings.replace(REDIS_URL=REDIS_URL))
    user = Citizen(app.test_client(), fake_telegram)
    user.says("/start")  # the question (1) and the share offer (2)
    user.says("1")  # answers it in French: the consent question (3)
    assert fake_telegram.sent == []  # nothing goes out from the webhook itself
    connection = redis.Redis.from_url(REDIS_URL)
    with db.session() as session:
        ids = session.scalars(select(OutboundMessage.id).order_by(OutboundMessage.id)).all()
    try:
        jobs = [Job.fetch(f"send-{message_id}", connection=connection) for message_id in ids]
        assert {job.origin for job in jobs} == {Queues.SEND}
        with app.app_context():
            for job in jobs:
                job.perform()  # what a worker does, in a context built from ids alone
    finally:
        Queue(Queues.SEND, connection=connection).empty()
    overtaken, offer, current = fake_telegram.sent
    assert overtaken.params["text"].endswith("Langue / Language?") and overtaken.markup is None
    assert offer.markup["keyboard"][0][0]["request_contact"] is True
    assert current.params["text"].endswith("Acceptez-vous de répondre ?")
    assert [b["text"] for b in current.buttons] == ["Oui", "Non"]
    assert texts_to(fake_telegram) == [call.params["text"] for call in (overtaken, offer, current)]
