"""POST /voice/twilio: a whole consultation by keypad, signed, once per step, STOP by the 9 key."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import func, select

from fakes.twilio_requests import payload, signature
from models import Answer, Conversation, InboundMessage, OutboundMessage, Participant

PHONE = "+447700900001"
# Keys for the shipped flow, in English: language 2, consent yes, North, a woman, 70 years, no
# disability, 120 minutes, a day's income, 3 visits, 3+ months, basic phone, family and an agent,
# by call; the free-text comment is passed over on voice.
ENGLISH_KEYS = ["2", "1", "2", "1", "70", "1", "120", "4", "3", "4", "2", "13", "2"]
FRENCH_KEYS = ["1", *ENGLISH_KEYS[1:]]


def count(db, model, *where) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def answers(db) -> dict[str, object]:
    with db.session() as session:
        return {a.question_id: a.value for a in session.scalars(select(Answer))}


def test_a_call_hears_the_intro_the_keys_and_the_language_menu(call):
    twiml = call().answer()
    assert twiml.status == 200
    assert twiml.said[0].startswith("Mairie: 14 questions")
    assert "tapez 9 pour ne plus jamais être appelé" in twiml.text
    gather = twiml.gather
    assert gather.get("input") == "dtmf" and gather.get("numDigits") == "1" and gather.get("action") == "/voice/twilio?step=1"
    assert gather.get("actionOnEmptyResult") == "true"
    assert "Francais, tapez 1." in twiml.said and "English, press 2." in twiml.said
    assert [say.get("language") for say in gather.iter("Say")][-2:] == ["fr-FR", "en-US"]


@pytest.mark.parametrize("keys, language, said", [(ENGLISH_KEYS, "en", "Thank you!"), (FRENCH_KEYS, "fr", "Merci !")])
def test_a_whole_consultation_by_keypad_is_recorded_and_exported_as_voice(call, db, runner, keys, language, said):
    phone_call = call()
    phone_call.answer()
    for key in keys:
        twiml = phone_call.press(key)
        assert twiml.status == 200
    assert said in twiml.text and twiml.hung_up and twiml.gather is None
    with db.session() as session:
        conversation = session.scalar(select(Conversation))
        assert (conversation.channel, conversation.status, conversation.language) == ("voice", "completed", language)
    recorded = answers(db)
    assert recorded["district"] == "nord" and recorded["age"] == 70 and recorded["travel_minutes"] == 120
    assert recorded["helper"] == ["family", "agent"] and recorded["contact_channel"] == "call"
    assert "comment" not in recorded
    result = runner.invoke(args=["export", "access-barriers", "--format", "csv"])
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert [(row["channel"], row["status"]) for row in rows] == [("voice", "completed")]
    assert PHONE not in result.output and PHONE[1:] not in result.output


def test_number_and_multi_choice_questions_wait_for_the_hash_key(call):
    phone_call = call()
    phone_call.answer()
    for key in ENGLISH_KEYS[:4]:
        twiml = phone_call.press(key)
    assert twiml.gather.get("finishOnKey") == "#" and twiml.gather.get("numDigits") is None
    assert "Type the number, then the hash key." in twiml.said


def test_a_retried_step_changes_nothing_and_asks_the_same_question(call, db):
    phone_call = call()
    phone_call.answer()
    phone_call.press("2")
    phone_call.press("1")
    action = phone_call.action
    first = phone_call.press("2", action=action)  # North
    again = phone_call.press("2", action=action)  # Twilio timed out and retried the same step
    assert again.said == first.said and again.gather.get("action") == first.gather.get("action")
    other = phone_call.press("3", action=action)  # even with other keys: the step was taken
    assert other.said == first.said
    assert answers(db)["district"] == "nord"
    assert count(db, Answer) == 3 and count(db, InboundMessage) == 4


def test_a_retried_number_step_is_not_read_again_as_a_command(call, db):
    phone_call = call()
    phone_call.answer()
    for key in ["2", "1", "2", "1"]:
        phone_call.press(key)
    action = phone_call.action
    phone_call.press("9", action=action)  # age 9: below the minimum, asked again
    phone_call.press("9", action=action)  # the retry of that step must not become STOP at a choice
    with db.session() as session:
        assert session.scalar(select(Participant)).opted_out_at is None


def test_star_repeats_and_zero_explains_the_keys_without_recording_anything(call, db):
    phone_call = call()
    phone_call.answer()
    phone_call.press("2")
    asked = phone_call.press("1")
    repeated = phone_call.press("*")
    assert repeated.said == asked.said[-len(repeated.said):] and repeated.gather is not None
    helped = phone_call.press("0")
    assert helped.said[0].startswith("Press the key of your answer.") and "Which district do you live in?" in helped.said
    phone_call.press("2")
    assert answers(db)["district"] == "nord"


def test_no_key_asks_again_then_moves_on_after_three_tries(call, db):
    phone_call = call()
    phone_call.answer()
    phone_call.press("2")
    phone_call.press("1")
    first = phone_call.press("")  # the <Gather> timed out: Twilio posts an empty Digits
    assert "Which district do you live in?" in first.said and first.gather is not None
    phone_call.press("")
    third = phone_call.press("")
    assert "let us move on" in third.text and "You are:" in third.said
    with db.session() as session:
        district = session.scalar(select(Answer).where(Answer.question_id == "district"))
    assert district.valid is False


def test_nine_opts_out_at_once_on_every_channel(call, db, client):
    phone_call = call()
    phone_call.answer()
    phone_call.press("2")
    twiml = phone_call.press("9")
    assert twiml.hung_up and "we will not call or message you again" in twiml.text
    with db.session() as session:
        assert session.scalar(select(Participant)).opted_out_at is not None
        assert session.scalar(select(Conversation)).status == "opted_out"
    again = call(sid="CA" + "9" * 32).answer()  # calling back later: told so, nothing asked
    assert again.hung_up and again.gather is None and "START" in again.text


def test_star_nine_opts_out_at_a_number_question(call, db):
    phone_call = call()
    phone_call.answer()
    for key in ["2", "1", "2", "1"]:
        phone_call.press(key)
    twiml = phone_call.press("*9")
    assert twiml.hung_up
    with db.session() as session:
        assert session.scalar(select(Participant)).opted_out_at is not None


def test_a_dropped_call_resumes_at_the_pending_question_and_sms_finishes_it(call, db, client):
    first = call()
    first.answer()
    for key in ENGLISH_KEYS[:3]:
        first.press(key)  # hangs up after the district
    second = call(sid="CA" + "2" * 32)
    twiml = second.answer()
    assert twiml.said[0] == "Picking up where you left off." and "You are:" in twiml.said
    for key in ENGLISH_KEYS[3:-1]:
        second.press(key)
    from fakes.twilio_requests import post_signed, twiml_messages

    sms = post_signed(client, "/sms/twilio", payload("inbound_sms", Body="2", From=PHONE, MessageSid="SM" + "1" * 32))
    post_signed(client, "/sms/twilio", payload("inbound_sms", Body="skip", From=PHONE, MessageSid="SM" + "2" * 32))
    assert sms.status_code == 200 and twiml_messages(sms)
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Participant)) == 1
        conversation = session.scalar(select(Conversation))
        assert (conversation.status, conversation.channel) == ("completed", "voice")


def test_a_forged_or_unsigned_call_is_refused_and_nothing_is_stored(loaded, client, db):
    form = payload("voice_call")
    assert client.post("/voice/twilio", data=form).status_code == 403
    forged = signature(form, "/voice/twilio", token="not-the-token")
    assert client.post("/voice/twilio", data=form, headers={"X-Twilio-Signature": forged}).status_code == 403
    # A signature for step 1 does not sign step 2: the query string is signed too.
    step1 = signature({**form, "Digits": "1"}, "/voice/twilio?step=1")
    response = client.post("/voice/twilio?step=2", data={**form, "Digits": "1"}, headers={"X-Twilio-Signature": step1})
    assert response.status_code == 403
    assert count(db, InboundMessage) == 0 and count(db, Participant) == 0


def test_a_bad_step_or_missing_call_sid_is_a_clear_400(call, client):
    from fakes.twilio_requests import post_signed

    assert post_signed(client, "/voice/twilio?step=abc", payload("voice_call")).status_code == 400
    assert post_signed(client, "/voice/twilio", payload("voice_call", CallSid=None)).status_code == 400


def test_a_withheld_number_hears_a_goodbye(call, db):
    twiml = call(phone="Anonymous").answer()
    assert twiml.status == 200 and twiml.hung_up
    assert count(db, Participant) == 0


def test_no_phone_number_in_any_twiml_or_stored_reply(call, db):
    phone_call = call()
    texts = [phone_call.answer()] + [phone_call.press(key) for key in ENGLISH_KEYS]
    for twiml in texts:
        raw = ElementTree_tostring(twiml)
        assert PHONE not in raw and PHONE[1:] not in raw
    with db.session() as session:
        replies = session.scalars(select(OutboundMessage.text)).all()
    assert replies and all(PHONE not in text for text in replies)


def ElementTree_tostring(twiml) -> str:  # noqa: N802
    from xml.etree import ElementTree

    return ElementTree.tostring(twiml.root, encoding="unicode")


@pytest.mark.parametrize("digits", ["#", "**", "1234567890*#", "٣", "A", "0" * 200, "*0*9", "13"])
def test_any_keys_get_an_answer_never_a_500(call, digits):
    phone_call = call()
    phone_call.answer()
    phone_call.press("2")
    twiml = phone_call.press(digits)
    assert twiml.status == 200 and (twiml.gather is not None or twiml.hung_up)


def test_read_keys_by_question_kind():
    from bots.voice_keys import HELP, REPEAT, STOP, read_keys

    assert read_keys("3", "choice").text == "3" and read_keys("9", "choice").command == STOP
    assert read_keys("0", "yes_no").command == HELP and read_keys("*", "multi_choice").command == REPEAT
    assert read_keys("13", "multi_choice").text == "1 3"
    assert read_keys("9", "number").text == "9" and read_keys("0", "number").text == "0"  # numbers, not commands
    assert read_keys("*9", "number").command == STOP and read_keys("*0", "number").command == HELP
    assert read_keys("45#", "number").text == "45"


def test_no_phone_number_in_the_logs_of_a_call(call, caplog):
    import logging

    caplog.set_level(logging.DEBUG)
    phone_call = call()
    phone_call.answer()
    for key in ENGLISH_KEYS[:5]:
        phone_call.press(key)
    call(phone="Anonymous").answer()
    assert caplog.records and PHONE not in caplog.text and PHONE[1:] not in caplog.text


def test_a_forged_status_callback_is_refused(loaded, client, db):
    form = payload("voice_status")
    forged = signature(form, "/voice/twilio/status", token="not-the-token")
    assert client.post("/voice/twilio/status", data=form, headers={"X-Twilio-Signature": forged}).status_code == 403
    from fakes.twilio_requests import post_signed

    assert post_signed(client, "/voice/twilio/status", payload("voice_status", CallStatus=None)).status_code == 400
    assert post_signed(client, "/voice/twilio/status", payload("voice_status", CallStatus="ringing")).status_code == 200


def test_a_call_nobody_answers_hangs_up_after_two_silent_questions_and_resumes_later(call, db):
    phone_call = call()
    phone_call.answer()
    phone_call.press("2")
    phone_call.press("1")
    for _ in range(5):  # district, then gender, moved on by three timeouts each... until the sixth
        twiml = phone_call.press("")
        assert twiml.gather is not None
    twiml = phone_call.press("")
    assert twiml.hung_up and "We hear no keys" in twiml.text
    with db.session() as session:
        conversation = session.scalar(select(Conversation))
        recorded = {a.question_id for a in session.scalars(select(Answer))}
    assert conversation.status == "active" and "age" not in recorded  # the machine did not walk the flow
    resumed = call(sid="CA" + "5" * 32).answer()
    assert "Picking up where you left off." in resumed.said and resumed.gather is not None
