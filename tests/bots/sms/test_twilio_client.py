"""TwilioSender against a fake Twilio over real HTTP: what it posts, and each failure's named error."""

from __future__ import annotations

import socket

import pytest

from bots.errors import ChannelNotConfigured, ContactOptedOut, MaybeSent, NotSent, SendFailed
from bots.senders import sender_for
from bots.twilio_client import TwilioSender
from fakes.twilio_requests import ACCOUNT_SID, AUTH_TOKEN, FROM_NUMBER

PHONE = "+447700900001"


@pytest.fixture
def sender(settings) -> TwilioSender:
    return TwilioSender.from_config(settings)


def test_a_message_is_posted_with_to_body_from_and_the_status_callback(sender, fake_twilio):
    sid = sender.send(PHONE, "Bonjour é 🙂", message_id=7)
    [sent] = fake_twilio.sent
    assert sid == sent.sid and sid.startswith("SM")
    assert sent.account == ACCOUNT_SID
    assert sent.form == {"To": PHONE, "Body": "Bonjour é 🙂", "From": FROM_NUMBER,
                         "StatusCallback": "https://palabre.example.org/sms/twilio/status"}


def test_a_messaging_service_replaces_the_from_number_and_no_public_url_means_no_callback(settings, fake_twilio):
    sender = TwilioSender.from_config(settings.replace(TWILIO_MESSAGING_SERVICE_SID="MG" + "b" * 32, PUBLIC_BASE_URL=None))
    sender.send(PHONE, "Bonjour", message_id=1)
    assert fake_twilio.sent[0].form == {"To": PHONE, "Body": "Bonjour", "MessagingServiceSid": "MG" + "b" * 32}


@pytest.mark.parametrize("missing, named", [
    ({"TWILIO_ACCOUNT_SID": None}, "TWILIO_ACCOUNT_SID"),
    ({"TWILIO_AUTH_TOKEN": None}, "TWILIO_AUTH_TOKEN"),
    ({"TWILIO_FROM_NUMBER": None}, "TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID"),
])
def test_missing_credentials_are_named(settings, missing, named):
    with pytest.raises(ChannelNotConfigured, match=named):
        TwilioSender.from_config(settings.replace(**missing))


def test_the_sms_channel_is_sent_by_twilio(settings):
    assert isinstance(sender_for("sms", settings), TwilioSender)


@pytest.mark.parametrize("error, retryable", [("429", True), ("500", True), ("503", True), ("400", False)])
def test_http_failures_say_whether_to_retry(sender, fake_twilio, error, retryable):
    fake_twilio.fail_next(1, error)
    with pytest.raises(SendFailed) as caught:
        sender.send(PHONE, "Bonjour", message_id=1)
    assert caught.value.retryable is retryable
    assert caught.value.status == int(error)
    assert PHONE not in str(caught.value), "Twilio's messages quote the number: only the code is kept"
    assert sender.send(PHONE, "Bonjour", message_id=1).startswith("SM"), "the next call goes through"


def test_an_unsubscribed_recipient_is_a_contact_who_opted_out(sender, fake_twilio):
    fake_twilio.fail_next(1, "21610")
    with pytest.raises(ContactOptedOut, match="21610"):
        sender.send(PHONE, "Bonjour", message_id=1)


def test_refused_credentials_leave_the_channel_unconfigured(settings, fake_twilio):
    sender = TwilioSender.from_config(settings.replace(TWILIO_AUTH_TOKEN="wrong"))
    with pytest.raises(ChannelNotConfigured, match="20003"):
        sender.send(PHONE, "Bonjour", message_id=1)
    assert AUTH_TOKEN != "wrong"


def test_an_unreachable_twilio_is_retried(settings):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sender = TwilioSender.from_config(settings.replace(TWILIO_API_URL=f"http://127.0.0.1:{port}"))
    with pytest.raises(NotSent, match="unreachable") as caught:
        sender.send(PHONE, "Bonjour", message_id=1)
    assert caught.value.retryable and isinstance(caught.value.__cause__, Exception)


def test_no_answer_in_time_is_not_retried_because_twilio_may_have_sent_it(settings, fake_twilio):
    fake_twilio.fail_next(1, "slow", delay=1.0)
    sender = TwilioSender(**{**TwilioSender.from_config(settings).__dict__, "timeout": (1.0, 0.2)})
    with pytest.raises(MaybeSent, match="may have been sent") as caught:
        sender.send(PHONE, "Bonjour", message_id=1)
    assert not caught.value.retryable
