"""Recorded prompts: a spoken-only language runs end to end with <Play>, served from content-addressed URLs."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import select

from fakes.twilio_requests import PUBLIC_BASE_URL
from models import Answer, Conversation

VOICE = Path(__file__).resolve().parents[2] / "data" / "voice"
RECORDINGS = VOICE / "recordings"


@pytest.fixture
def settings(settings):
    return settings.replace(FLOWS_DIR=str(VOICE))


@pytest.fixture
def loaded(app, db):
    """The voice test flow open, as after `python app.py init` with FLOWS_DIR=tests/data/voice."""
    from palabre.consultations import load_library

    with db.session() as session:
        load_library(session, VOICE)
        session.commit()
    return app


def url_of(recording: str) -> str:
    path = RECORDINGS / recording
    return f"{PUBLIC_BASE_URL}/voice/audio/{hashlib.sha256(path.read_bytes()).hexdigest()}.wav"


def plays(twiml) -> list[str]:
    return [node.text for node in twiml.root.iter("Play")]


def says(twiml) -> list[str]:
    return [node.text for node in twiml.root.iter("Say")]


def test_a_spoken_only_language_is_offered_and_runs_end_to_end_with_recordings(call, db):
    phone_call = call()
    first = phone_call.answer()
    assert "Francais, tapez 1." in says(first) and "English, press 2." in says(first)
    assert plays(first) == [url_of("wo/lang-wo.wav")]  # Wolof offered in Wolof, by its recording
    district = phone_call.press("3")
    # The intro again, now in Wolof, then the question and its options.
    assert plays(district) == [url_of(f"wo/{name}.wav") for name in ("intro", "voice_keys", "district", "district-nord", "district-sud")]
    assert says(district) == []  # never the French text in an English voice
    again = phone_call.press("7")  # no such option
    assert plays(again)[0] == url_of("wo/voice_not_understood.wav") and says(again) == []
    age = phone_call.press("1")
    assert plays(age) == [url_of("wo/age.wav"), url_of("wo/voice_number.wav")]
    assert age.gather.get("finishOnKey") == "#"
    end = phone_call.press("40")
    assert plays(end) == [url_of("wo/end.wav")] and end.hung_up
    with db.session() as session:
        recorded = {a.question_id: a.value for a in session.scalars(select(Answer))}
        conversation = session.scalar(select(Conversation))
    assert recorded == {"lang": "wo", "district": "nord", "age": 40}
    assert (conversation.language, conversation.channel, conversation.status) == ("wo", "voice", "completed")


def test_a_written_language_plays_its_recording_where_there_is_one_and_says_the_rest(call):
    phone_call = call()
    phone_call.answer()
    district = phone_call.press("1")
    assert plays(district) == [url_of("fr/district.wav")]
    assert says(district) == ["Pour Nord, tapez 1.", "Pour Sud, tapez 2."]
    assert {say.get("language") for say in district.root.iter("Say")} == {"fr-FR"}


def test_recordings_are_served_by_their_hash_with_long_caching_and_nothing_else_is(call, client):
    name = url_of("wo/district.wav").removeprefix(PUBLIC_BASE_URL)
    response = client.get(name)
    assert response.status_code == 200 and response.mimetype == "audio/wav"
    assert response.data == (RECORDINGS / "wo" / "district.wav").read_bytes()
    assert "immutable" in response.headers["Cache-Control"] and "max-age=31536000" in response.headers["Cache-Control"]
    assert client.get("/voice/audio/" + "0" * 64 + ".wav").status_code == 404
    flow_file = hashlib.sha256((VOICE / "voice_languages.yaml").read_bytes()).hexdigest()
    assert client.get(f"/voice/audio/{flow_file}.yaml").status_code == 404  # only recordings live here
    assert client.get("/voice/audio/..%2Fvoice_languages.yaml").status_code == 404
