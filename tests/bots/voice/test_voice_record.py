"""A free-text question with `voice_record: true`: consent on the keypad, then <Record>; staff alone can listen."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from fakes.twilio_requests import ACCOUNT_SID, payload, post_signed, twiml_messages
from models import Answer, CallRecording, InboundMessage, Participant
from palabre.accounts import create_user

FOLDER = Path(__file__).resolve().parents[2] / "data" / "voice_record"
PHONE = "+447700900001"
SID = "RE" + "0123456789abcdef" * 2
RECORDING_URL = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Recordings/{SID}"
MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x00" * 64  # an ID3 tag, then MPEG frames
PASSWORD = "correct horse battery"


@pytest.fixture
def settings(settings):
    return settings.replace(FLOWS_DIR=str(FOLDER))


@pytest.fixture
def loaded(app, db):
    """The recording test flow open, as after `python app.py init` with FLOWS_DIR=tests/data/voice_record."""
    from palabre.consultations import load_library

    with db.session() as session:
        load_library(session, FOLDER)
        session.commit()
    return app


def at_the_change_question(call, language_key: str = "2", phone: str = PHONE):
    """A call that chose its language and district: the free-text question is being asked."""
    phone_call = call(phone)
    phone_call.answer()
    phone_call.press(language_key)
    return phone_call, phone_call.press("1")  # North


def record(phone_call, action: str, sid: str = SID, duration: str = "7", digits: str = "#"):
    """Twilio's request to a <Record>'s action: the recording made, and the key that ended it."""
    form = phone_call._form(CallStatus="in-progress", RecordingUrl=f"{RECORDING_URL[:-34]}{sid}", RecordingSid=sid,
                            RecordingDuration=duration, Digits=digits)
    return phone_call.post(action, form)


def count(db, model, *where) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def answers(db) -> dict[str, object]:
    with db.session() as session:
        return {a.question_id: a.value for a in session.scalars(select(Answer))}


def test_the_question_asks_consent_before_anything_is_recorded(call, db):
    _call, asked = at_the_change_question(call)
    assert "What should change at the counter?" in asked.said
    assert "To agree to be recorded, press 1. To skip the question, press 2." in asked.text
    assert asked.gather.get("numDigits") == "1" and asked.gather.get("action") == "/voice/twilio?step=3"
    assert asked.root.find("Record") is None
    french_call, asked_in_french = at_the_change_question(call, "1", phone="+447700900002")
    assert "Pour accepter d'être enregistré, tapez 1. Pour passer la question, tapez 2." in asked_in_french.text


def test_one_records_and_the_answer_is_a_reference_to_the_recording_taken_once(call, db):
    phone_call, _asked = at_the_change_question(call)
    recording = phone_call.press("1")
    verb = recording.root.find("Record")
    assert verb is not None and "Speak after the beep" in recording.text
    assert (verb.get("action"), verb.get("maxLength"), verb.get("finishOnKey")) == ("/voice/twilio?step=4", "60", "#")
    assert count(db, CallRecording) == 0 and "change" not in answers(db)  # consent alone stores nothing
    done = record(phone_call, "/voice/twilio?step=4")
    assert done.said[0] == "Thank you, your answer is recorded."
    assert "How old are you?" in done.said  # the free-text question not recorded is passed over
    assert answers(db)["change"] == "[recording]" and "last_word" not in answers(db)
    with db.session() as session:
        kept = session.scalar(select(CallRecording))
        assert (kept.question_id, kept.recording_sid, kept.duration_seconds) == ("change", SID, 7)
        assert kept.recording_path == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Recordings/{SID}"
    again = record(phone_call, "/voice/twilio?step=4")  # Twilio retries the action: nothing recorded twice
    assert "How old are you?" in again.said and "Thank you, your answer is recorded." not in again.said
    assert count(db, CallRecording) == 0 + 1 and count(db, Answer, Answer.question_id == "change") == 1
    finished = phone_call.press("34", action=again.gather.get("action"))
    assert finished.hung_up and answers(db)["age"] == 34


def test_a_caller_who_hangs_up_while_speaking_is_recorded_and_resumes_at_the_next_question(call, db):
    phone_call, _asked = at_the_change_question(call)
    phone_call.press("1")
    record(phone_call, "/voice/twilio?step=4", digits="hangup")
    assert answers(db)["change"] == "[recording]" and count(db, CallRecording) == 1
    later = call(sid="CA" + "9" * 32).answer()
    assert "How old are you?" in later.said


def test_a_recording_for_a_question_answered_meanwhile_by_sms_stores_nothing_and_asks_what_is_pending(call, client, db):
    phone_call, _asked = at_the_change_question(call)
    phone_call.press("1")  # agreed to be recorded: Twilio records...
    form = payload("inbound_sms", Body="Longer opening hours", From=PHONE, MessageSid="SM" + "4" * 32)
    post_signed(client, "/sms/twilio", form)  # ...while the same person answers in writing
    late = record(phone_call, "/voice/twilio?step=4")
    assert late.said == ["A last word?"]  # the question SMS moved on to; the recording is not the answer
    assert answers(db)["change"] == "Longer opening hours" and count(db, CallRecording) == 0
    moved_on = phone_call.press("1", action=late.gather.get("action"))  # a keypad cannot write it: passed over
    assert "How old are you?" in moved_on.said and answers(db).get("last_word") != "1"


def test_two_skips_the_question_and_nothing_is_recorded(call, db):
    phone_call, _asked = at_the_change_question(call)
    skipped = phone_call.press("2")
    assert skipped.root.find("Record") is None and "How old are you?" in skipped.said
    assert "change" not in answers(db) and count(db, CallRecording) == 0


def test_other_keys_ask_for_consent_again_and_nine_opts_out(call, db):
    phone_call, _asked = at_the_change_question(call)
    unclear = phone_call.press("5")
    assert unclear.said[0] == "Sorry, that answer was not understood; try again."
    assert "To agree to be recorded, press 1. To skip the question, press 2." in unclear.text
    repeated = phone_call.press("*")
    assert "What should change at the counter?" in repeated.said and repeated.root.find("Record") is None
    assert count(db, InboundMessage, InboundMessage.text == "5") == 0  # a wrong key is never an answer
    out = phone_call.press("9")
    assert out.hung_up and "Noted: we will not call or message you again. Goodbye." in out.said
    with db.session() as session:
        assert session.scalar(select(Participant)).opted_out


def test_a_recording_of_nothing_is_not_an_answer_and_consent_is_asked_again(call, db):
    phone_call, _asked = at_the_change_question(call)
    phone_call.press("1")
    empty = record(phone_call, "/voice/twilio?step=4", duration="0", digits="")
    assert empty.said[0] == "Sorry, that answer was not understood; try again."
    assert "To agree to be recorded, press 1. To skip the question, press 2." in empty.text
    assert count(db, CallRecording) == 0 and "change" not in answers(db)


def test_a_recording_that_does_not_come_from_twilio_is_not_stored(call, db):
    phone_call, _asked = at_the_change_question(call)
    phone_call.press("1")
    form = phone_call._form(CallStatus="in-progress", RecordingUrl="https://evil.example/steal", RecordingSid="RE1",
                            RecordingDuration="5", Digits="#")
    answered = phone_call.post("/voice/twilio?step=4", form)
    assert answered.status == 200 and count(db, CallRecording) == 0 and "change" not in answers(db)


def test_sms_answers_the_same_question_in_writing(loaded, client, db):
    def sms(body: str, n: int):
        form = payload("inbound_sms", Body=body, From=PHONE, MessageSid=f"SM{n:032d}")
        return twiml_messages(post_signed(client, "/sms/twilio", form))

    sms("ENREG", 1)
    sms("2", 2)
    replies = sms("1", 3)
    assert any("What should change at the counter?" in reply for reply in replies)
    assert not any("press 1" in reply or "recorded" in reply for reply in replies)
    sms("Longer opening hours", 4)
    assert answers(db)["change"] == "Longer opening hours" and count(db, CallRecording) == 0


def finish_a_recorded_call(call):
    phone_call, _asked = at_the_change_question(call)
    phone_call.press("1")
    done = record(phone_call, "/voice/twilio?step=4")
    phone_call.press("34", action=done.gather.get("action"))


def test_exports_the_api_and_the_public_page_show_no_recording_reference(call, db, runner, client):
    finish_a_recorded_call(call)
    with db.session() as session:
        create_user(session, "analyst@city.example", PASSWORD, "analyst")
        session.commit()
    from palabre.accounts import create_token

    with db.session() as session:
        token = create_token(session, "analyst@city.example")
        session.commit()
    csv_export = runner.invoke(args=["export", "voice-record", "--format", "csv"]).output
    rows = list(csv.DictReader(io.StringIO(csv_export)))
    assert [(row["channel"], row["change"]) for row in rows] == [("voice", "[recording]")]
    api = client.get("/api/v1/consultations/voice-record/responses.csv", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 200 and "[recording]" in api.get_data(as_text=True)
    public = client.get("/results/voice-record?lang=en")
    assert public.status_code == 200
    for text in (csv_export, api.get_data(as_text=True), public.get_data(as_text=True)):
        assert SID not in text and "Recordings/" not in text and "RecordingUrl" not in text and PHONE not in text


def log_in(client, email: str):
    token = re.search(rb'name="csrf_token" value="([^"]+)"', client.get("/login?lang=en").data).group(1).decode()
    return client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})


def test_staff_listen_on_the_comments_page_through_an_authenticated_route(call, db, app, client, fake_twilio):
    finish_a_recorded_call(call)
    fake_twilio.recordings[SID] = MP3
    with db.session() as session:
        create_user(session, "analyst@city.example", PASSWORD, "analyst")
        session.commit()
    anonymous = app.test_client()
    assert anonymous.get("/dashboard/voice-record/comments/1.mp3").status_code in (302, 401)
    assert fake_twilio.fetched == []  # nothing fetched for someone not logged in
    official = app.test_client()
    assert log_in(official, "analyst@city.example").status_code == 302
    page = official.get("/dashboard/voice-record/comments?lang=en").get_data(as_text=True)
    assert '<audio class="recorded-answer" controls preload="none" src="/dashboard/voice-record/comments/1.mp3">' in page
    assert SID not in page and "Recordings/" not in page
    heard = official.get("/dashboard/voice-record/comments/1.mp3")
    assert heard.status_code == 200 and heard.mimetype == "audio/mpeg" and heard.data == MP3
    assert "no-store" in heard.headers["Cache-Control"] and "media-src 'self'" in heard.headers["Content-Security-Policy"]
    assert fake_twilio.fetched == [SID]
    assert official.get("/dashboard/voice-record/comments/2.mp3").status_code == 404


def test_a_recording_twilio_cannot_give_yet_is_a_503_saying_so(call, db, app, fake_twilio):
    finish_a_recorded_call(call)  # the fake has no audio for it: Twilio's 404 while a recording is processed
    with db.session() as session:
        create_user(session, "admin@city.example", PASSWORD, "admin")
        session.commit()
    official = app.test_client()
    log_in(official, "admin@city.example")
    response = official.get("/dashboard/voice-record/comments/1.mp3?lang=en")
    assert response.status_code == 503 and "try again later" in response.get_data(as_text=True)


def test_the_simulator_shows_the_consent_keys_of_a_recorded_question():
    from dashboard.simulator import render_views
    from flows import engine
    from flows.loader import load_flow
    from flows.state import State

    flow = load_flow(FOLDER / "voice_record.yaml")
    state = State(language="en")
    asked = [engine.ask(flow, state, flow.question("change"))]
    recorded = render_views(asked, False, "en", frozenset({"change"}))["voice"]
    assert recorded[-2].endswith("To agree to be recorded, press 1. To skip the question, press 2.") and recorded[-1] == "⌨ 1"
    assert render_views(asked, False, "en")["voice"][-1] == "⌨ … #"  # the same question, not recorded
    assert render_views(asked, False, "en", frozenset({"change"}))["sms"] == render_views(asked, False, "en")["sms"]


def test_erasing_the_caller_forgets_where_their_recording_is(call, db, now):
    from palabre.erasure import erase_participant

    finish_a_recorded_call(call)
    with db.session() as session:
        pseudonym = session.scalar(select(Participant.pseudonym))
        erase_participant(session, pseudonym, now)
        session.commit()
    assert count(db, CallRecording) == 0 and count(db, Answer) == 0


def test_a_recording_posted_four_times_at_once_is_kept_once_and_each_copy_asks_the_next_question(call, loaded, db):
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from fakes.twilio_requests import post_signed

    phone_call, _asked = at_the_change_question(call)
    phone_call.press("1")
    form = phone_call._form(CallStatus="in-progress", RecordingUrl=RECORDING_URL, RecordingSid=SID,
                            RecordingDuration="7", Digits="#")
    barrier = threading.Barrier(4)

    def post(_n):
        own = loaded.test_client()
        barrier.wait()
        return post_signed(own, "/voice/twilio?step=4", form)

    with ThreadPoolExecutor(4) as pool:
        responses = list(pool.map(post, range(4)))
    assert [r.status_code for r in responses] == [200] * 4
    assert all(b"How old are you?" in r.data for r in responses)
    assert count(db, CallRecording) == 1 and count(db, Answer, Answer.question_id == "change") == 1


def test_fetching_a_recording_names_why_twilio_did_not_give_it(fake_twilio):
    from bots.voice_record import RecordingFetch, RecordingUnavailable

    path = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Recordings/{SID}"
    fake_twilio.recordings[SID] = MP3
    assert RecordingFetch(ACCOUNT_SID, "test-twilio-auth-token", fake_twilio.url).mp3(path) == MP3
    cases = [(RecordingFetch(ACCOUNT_SID, "a wrong token", fake_twilio.url), path, False),  # Twilio's 401
             (RecordingFetch(ACCOUNT_SID, "test-twilio-auth-token", "http://127.0.0.1:9"), path, True),  # nobody there
             (RecordingFetch(ACCOUNT_SID, "test-twilio-auth-token", fake_twilio.url), "/somewhere/else", False)]
    for fetch, asked, retryable in cases:
        with pytest.raises(RecordingUnavailable) as refused:
            fetch.mp3(asked)
        assert refused.value.retryable is retryable, (asked, str(refused.value))
    assert fake_twilio.fetched == [SID]  # the wrong token was refused before; the odd path never left
