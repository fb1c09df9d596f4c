"""POST /sms/twilio: signed, answered in TwiML, once per MessageSid, never a 500 whatever is sent."""

from __future__ import annotations

import csv
import io
import logging

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from twilio.request_validator import RequestValidator

from palabre.sms_segments import count_segments
from fakes.twilio_requests import PUBLIC_BASE_URL, payload, post_signed, signature, twiml_messages
from models import Answer, Conversation, InboundMessage, OutboundMessage, Participant
from palabre.identity import mask

PHONE = "+447700900001"
ENGLISH_ANSWERS = ["2", "yes", "north", "woman", "70", "1", "2h", "4", "3", "4", "2", "4", "1", "skip"]


def count(db, model, *where) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def participant(db) -> Participant:
    with db.session() as session:
        return session.scalar(select(Participant))


# --- signature ------------------------------------------------------------------------


def test_a_signed_first_message_starts_the_consultation_and_is_answered_in_twiml(sms, db):
    response, replies = sms("AVIS")
    assert response.status_code == 200 and response.mimetype == "application/xml"
    assert replies[0].startswith("Mairie: 14 questions")
    assert replies[1].startswith("Langue / Language?\n1 Francais\n2 English")
    assert count(db, InboundMessage) == 1 and count(db, Conversation) == 1
    with db.session() as session:
        stored = session.scalars(select(OutboundMessage).order_by(OutboundMessage.id)).all()
    assert [(m.text, m.status, m.kind, m.channel) for m in stored] == [(r, "inline", "reply", "sms") for r in replies]


def test_a_request_without_a_signature_is_refused_and_nothing_is_stored(loaded, client, db):
    response = client.post("/sms/twilio", data=payload("inbound_sms"))
    assert response.status_code == 403 and b"X-Twilio-Signature is missing" in response.data
    assert count(db, InboundMessage) == 0 and count(db, Participant) == 0


@pytest.mark.parametrize("forge", [
    pytest.param(lambda form: signature(form, "/sms/twilio", token="not-the-token"), id="wrong-token"),
    pytest.param(lambda form: signature(form, "/sms/twilio", base_url="https://evil.example.org"), id="other-url"),
    pytest.param(lambda form: signature({**form, "Body": "1"}, "/sms/twilio"), id="other-body"),
    pytest.param(lambda form: signature({k: v for k, v in form.items() if k != "NumSegments"}, "/sms/twilio"), id="field-added-after-signing"),
    pytest.param(lambda form: "", id="empty"),
])
def test_a_forged_signature_is_refused_and_nothing_is_stored(loaded, client, db, forge):
    form = payload("inbound_sms")
    response = client.post("/sms/twilio", data=form, headers={"X-Twilio-Signature": forge(form) or " "})
    assert response.status_code == 403
    assert count(db, InboundMessage) == 0 and count(db, Participant) == 0


def test_fields_twilio_adds_without_notice_are_signed_too(sms):
    response, replies = sms("AVIS", SomeFieldTwilioAddsNextYear="value", AddOns='{"status":"successful"}')
    assert response.status_code == 200 and replies


def test_without_an_auth_token_every_webhook_is_refused(app, loaded, client, db):
    app.extensions["palabre.config"] = app.extensions["palabre.config"].replace(TWILIO_AUTH_TOKEN=None)
    response = post_signed(client, "/sms/twilio", payload("inbound_sms"))
    assert response.status_code == 403 and b"TWILIO_AUTH_TOKEN" in response.data
    assert count(db, InboundMessage) == 0


def test_without_a_public_base_url_the_request_url_is_what_is_signed(app, loaded, client):
    app.extensions["palabre.config"] = app.extensions["palabre.config"].replace(PUBLIC_BASE_URL=None)
    form = payload("inbound_sms")
    good = client.post("/sms/twilio", data=form, headers={"X-Twilio-Signature": signature(form, "/sms/twilio", base_url="http://localhost")})
    assert good.status_code == 200
    public = client.post("/sms/twilio", data=form, headers={"X-Twilio-Signature": signature(form, "/sms/twilio")})
    assert public.status_code == 403


def test_a_webhook_signed_with_a_shared_key_uses_that_key_and_algorithm(app, loaded, client):
    form = payload("inbound_sms")
    headers = {
        "X-Twilio-Webhooks-Signature-Settings": "key=webhooks_sharedkey_01,algorithm=HMAC_SHA256",
        "X-Twilio-Signature": RequestValidator("shared-key-secret").compute_signature(PUBLIC_BASE_URL + "/sms/twilio", form, "HMAC_SHA256"),
    }
    assert client.post("/sms/twilio", data=form, headers=headers).status_code == 403  # no key configured
    app.extensions["palabre.config"] = app.extensions["palabre.config"].replace(TWILIO_WEBHOOK_SHARED_KEY="shared-key-secret")
    assert client.post("/sms/twilio", data=form, headers=headers).status_code == 200


# --- conversation ---------------------------------------------------------------------


def test_a_whole_conversation_over_http_completes_and_appears_in_the_export(sms, db, runner):
    sms("AVIS")
    for answer in ENGLISH_ANSWERS:
        response, replies = sms(answer)
        assert response.status_code == 200 and replies, answer
    assert replies[-1].startswith("Thank you!")
    with db.session() as session:
        conversation = session.scalar(select(Conversation))
    assert conversation.status == "completed" and conversation.channel == "sms"
    result = runner.invoke(args=["export", "access-barriers", "--format", "csv"])
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert len(rows) == 1 and rows[0]["channel"] == "sms" and rows[0]["status"] == "completed"
    assert PHONE not in result.output


def test_a_repeated_message_sid_changes_nothing_and_gets_an_empty_answer(sms, db):
    sms("AVIS", sid="SMfirst")
    sms("1", sid="SMsecond")
    replies_before = count(db, OutboundMessage)
    again, replies = sms("2", sid="SMsecond")
    assert again.status_code == 200 and replies == []
    assert again.data.endswith(b"<Response />")
    with db.session() as session:
        assert session.scalars(select(Answer.value)).all() == ["fr"]
    assert count(db, InboundMessage) == 2
    assert count(db, OutboundMessage) == replies_before, "no second reply"


@pytest.mark.parametrize("budget", [1, 2])
def test_every_reply_stays_within_the_segment_budget(app, sms, budget):
    app.extensions["palabre.config"] = app.extensions["palabre.config"].replace(SMS_MAX_SEGMENTS=budget)
    every = []
    for text in ["AVIS", "1", "oui", "nord", "femme", "70", "1", "1h30", "beaucoup"]:
        every += sms(text)[1]
    assert every and all(count_segments(reply).segments <= budget for reply in every)


def test_logs_never_show_the_phone_number(sms, caplog):
    caplog.set_level(logging.DEBUG)
    for text in ["AVIS", "1", "STOP", "START", "nord"]:
        sms(text)
    sms("AVIS", sender="not a number")
    assert PHONE not in caplog.text and PHONE[1:] not in caplog.text and "not a number" not in caplog.text
    assert mask(PHONE) == "…01"


# --- STOP and START -------------------------------------------------------------------


@pytest.mark.parametrize("word", ["STOP", "stop", "StopAll", "UNSUBSCRIBE", "cancel", "END", "Quit", "REVOKE", "OptOut", "ARRET", "arrêt", " Arrêt. "])
def test_each_stop_word_opts_out_with_one_confirmation_then_silence(sms, db, word):
    sms("AVIS")
    sms("1")
    response, replies = sms(word)
    assert len(replies) == 1 and "START" in replies[0]
    assert participant(db).opted_out
    for text in ["oui", "AVIS", "2"]:
        assert sms(text)[1] == []
    with db.session() as session:
        assert session.scalars(select(Answer.question_id)).all() == ["lang"]
        kept = session.scalars(select(InboundMessage.text).order_by(InboundMessage.id)).all()
    assert kept[-3:] == ["", "", ""], "what is sent after STOP is not kept"


def test_stop_said_in_a_sentence_is_an_answer_not_an_opt_out(sms, db):
    sms("AVIS")
    sms("stop talking to me please")
    assert not participant(db).opted_out


def test_twilio_opt_out_type_stop_opts_out_without_a_second_confirmation(sms, db):
    sms("AVIS")
    response, replies = sms("ARRETEZ", OptOutType="STOP")  # a keyword of the city's Advanced Opt-Out list
    assert response.status_code == 200 and replies == []
    assert participant(db).opted_out


def test_start_debut_and_opt_out_type_start_opt_back_in_where_it_stood(sms, db):
    sms("AVIS")
    sms("1")
    for back in [{"body": "START"}, {"body": "debut"}, {"body": "OUI", "OptOutType": "START"}]:
        sms("STOP")
        response, replies = sms(back.pop("body"), **back)
        assert not participant(db).opted_out
        assert replies[0] == "Bon retour ! Reprenons." and replies[1].startswith("Vos réponses restent anonymes")


# --- bad input ------------------------------------------------------------------------


@pytest.mark.parametrize("body", [
    "", " ", "x" * 5000, "\x00\x01\x02\x1b\x7f", "nul\x00in the middle", "🙂" * 50, "é" * 1600,
    "'; DROP TABLE answers; --", "<script>alert(1)</script>", "]]></Message><Message>pwned", "%s %d {0} {{x}}",
])
def test_garbage_bodies_are_answered_never_a_500(sms, db, body):
    for step in (body, "1", body):  # as a first message, then mid-conversation
        response, replies = sms(step)
        assert response.status_code == 200, step
        assert replies, "a question is always asked again"
    assert count(db, InboundMessage) == 3


def test_invalid_utf8_is_answered_never_a_500(loaded, client, db):
    form = payload("inbound_sms", Body="%FF%FE")  # Werkzeug keeps undecodable bytes percent-encoded
    raw = "&".join(f"{k}={v}" for k, v in form.items() if k != "Body").replace("+", "%2B") + "&Body=%FF%FE"
    response = client.post("/sms/twilio", data=raw.encode(), content_type="application/x-www-form-urlencoded",
                           headers={"X-Twilio-Signature": signature(form, "/sms/twilio")})
    assert response.status_code == 200 and twiml_messages(response)
    assert count(db, InboundMessage) == 1


@pytest.mark.parametrize("missing, reason", [("From", b"From is missing"), ("MessageSid", b"MessageSid is missing")])
def test_a_missing_field_is_a_400_with_its_reason(loaded, client, db, missing, reason):
    response = post_signed(client, "/sms/twilio", payload("inbound_sms", **{missing: None}))
    assert response.status_code == 400 and reason in response.data
    assert count(db, InboundMessage) == 0


def test_a_missing_body_is_an_empty_message(sms):
    response, replies = sms(None)
    assert response.status_code == 200 and replies


@pytest.mark.parametrize("sender", ["not a number", "CITYHALL", "12", "+", "+99912345678", "0" * 40])
def test_a_sender_that_is_not_a_phone_number_gets_an_empty_answer_and_nothing_is_stored(sms, db, sender):
    response, replies = sms("AVIS", sender=sender)
    assert response.status_code == 200 and replies == []
    assert count(db, InboundMessage) == 0 and count(db, Participant) == 0


def test_a_body_over_the_size_limit_is_refused_cleanly(loaded, client):
    response = post_signed(client, "/sms/twilio", payload("inbound_sms", Body="x" * 70_000))
    assert response.status_code == 413


def test_only_post_is_accepted(client):
    assert client.get("/sms/twilio").status_code == 405


def test_a_database_failure_asks_the_citizen_to_send_again_and_names_no_one(sms, monkeypatch, caplog):
    def broken(*_args, **_kwargs):
        raise OperationalError("UPDATE ... WHERE address = %(a)s", {"a": PHONE}, Exception("server closed the connection"))

    monkeypatch.setattr("bots.sms.handle_inbound", broken)
    response, replies = sms("AVIS")
    assert response.status_code == 200
    assert replies == ["Service indisponible, renvoyez votre message plus tard. / Service unavailable, please send your message again later."]
    assert "OperationalError" in caplog.text and PHONE not in caplog.text
