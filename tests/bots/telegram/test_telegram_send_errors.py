"""Whether a failed Telegram send may have gone out: never left (try again) or no answer (unknown, never resent)."""

from __future__ import annotations

import socket

import pytest

import bots.telegram_client
from bots.errors import MaybeSent, NotSent
from bots.telegram_client import TelegramSender
from fakes.telegram_updates import TOKEN

CHAT = "123456789"


def test_telegram_answering_500_did_not_send_it_so_it_is_tried_again(fake_telegram):
    fake_telegram.fail_next("sendMessage", 500)
    with pytest.raises(NotSent) as caught:
        TelegramSender(TOKEN, fake_telegram.api_url).send(CHAT, "Bonjour", message_id=1)
    assert caught.value.retryable and fake_telegram.sent == []


def test_a_closed_port_did_not_send_it_so_it_is_tried_again():
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(NotSent) as caught:
        TelegramSender(TOKEN, f"http://127.0.0.1:{port}/bot").send(CHAT, "Bonjour", message_id=1)
    assert caught.value.retryable


def test_no_answer_after_the_request_was_written_may_have_sent_it(monkeypatch):
    monkeypatch.setattr(bots.telegram_client, "READ_TIMEOUT", 0.3)
    with socket.socket() as silent:  # takes the connection and the request, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port = silent.getsockname()[1]
        with pytest.raises(MaybeSent, match="may have been sent") as caught:
            TelegramSender(TOKEN, f"http://127.0.0.1:{port}/bot").send(CHAT, "Bonjour", message_id=1)
    assert not caught.value.retryable


def test_after_a_failure_the_next_message_goes_out_on_a_fresh_connection(fake_telegram):
    sender = TelegramSender(TOKEN, fake_telegram.api_url)
    sender.send(CHAT, "Un", message_id=1)  # the main thread keeps its Bot and HTTP pool between sends
    fake_telegram.fail_next("sendMessage", 500)
    with pytest.raises(NotSent):
        sender.send(CHAT, "Deux", message_id=2)
    sender.send(CHAT, "Trois", message_id=3)
    assert [m.params["text"] for m in fake_telegram.sent] == ["Un", "Trois"]


def test_a_message_sent_from_another_thread_goes_out_too(fake_telegram):
    import threading

    errors = []

    def send():
        try:
            TelegramSender(TOKEN, fake_telegram.api_url).send(CHAT, "D'un autre fil", message_id=4)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    TelegramSender(TOKEN, fake_telegram.api_url).send(CHAT, "Du fil principal", message_id=5)
    worker = threading.Thread(target=send)
    worker.start()
    worker.join(10)
    assert errors == [] and [m.params["text"] for m in fake_telegram.sent] == ["Du fil principal", "D'un autre fil"]
