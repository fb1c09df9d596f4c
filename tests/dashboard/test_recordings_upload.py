"""Call recordings uploaded from the dashboard: admins only, WAV or MP3 of at most 2 MB, played on the next call."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest

from fakes.twilio_requests import PUBLIC_BASE_URL, twilio_settings
from fakes.twilio_voice import Call
from palabre.recordings import uploaded
from tests.dashboard.conftest import csrf_from

PAGE = "/dashboard/access-barriers/recordings/"
WAVS = Path(__file__).resolve().parents[1] / "data" / "voice" / "recordings"
DISTRICT_WAV = (WAVS / "fr" / "district.wav").read_bytes()
OTHER_WAV = (WAVS / "wo" / "district.wav").read_bytes()


@pytest.fixture
def settings(settings):
    return twilio_settings(settings)


def upload(client, data: bytes, key: str = "question:district", language: str = "fr", name: str = "district.wav"):
    token = csrf_from(client.get(PAGE + "?lang=en").data)
    return client.post(PAGE, data={"csrf_token": token, "key": key, "language": language,
                                   "recording": (io.BytesIO(data), name)}, content_type="multipart/form-data")


_callers = iter(range(10, 99))


def district_plays(client) -> list[str]:
    """What a new French caller hears played at the district question."""
    call = Call(client, f"+4477009000{next(_callers)}")
    call.answer()
    call.press("1")  # French
    twiml = call.press("1")  # consents
    return [node.text for node in twiml.root.iter("Play")]


def url_of(data: bytes) -> str:
    return f"{PUBLIC_BASE_URL}/voice/audio/{hashlib.sha256(data).hexdigest()}.wav"


def test_the_page_lists_each_prompt_with_its_script_and_whether_it_is_recorded(admin):
    page = admin.get(PAGE + "?lang=en")
    assert page.status_code == 200
    assert b"Pour Nord, tapez 2." in page.data and b"missing" in page.data


def test_an_uploaded_recording_is_played_on_the_next_call_and_a_replaced_one_still_served(admin, settings):
    assert district_plays(admin) == []  # read by <Say> until recorded
    response = upload(admin, DISTRICT_WAV)
    assert response.status_code == 302
    assert b"uploaded" in admin.get(PAGE + "?lang=en").data
    assert district_plays(admin) == [url_of(DISTRICT_WAV)]
    assert upload(admin, OTHER_WAV).status_code == 302  # replaced
    assert district_plays(admin) == [url_of(OTHER_WAV)]
    old = admin.get(url_of(DISTRICT_WAV).removeprefix(PUBLIC_BASE_URL))  # a call given the old URL still plays it
    assert old.status_code == 200 and old.data == DISTRICT_WAV


@pytest.mark.parametrize("data, key, language, status, message", [
    (b"<html>not audio</html>", "question:district", "fr", 422, b"neither WAV nor MP3"),
    (b"", "question:district", "fr", 422, b"Choose a WAV or MP3 file."),
    (DISTRICT_WAV, "question:nowhere", "fr", 422, b"not in the consultation"),
    (DISTRICT_WAV, "question:district", "wo", 422, b"not in the consultation"),
    (b"RIFF\x00\x00\x00\x00WAVE" + b"\x00" * (2 * 1024 * 1024), "question:district", "fr", 422, b"larger than 2 MB"),
    (b"RIFF\x00\x00\x00\x00WAVE" + b"\x00" * (3 * 1024 * 1024), "question:district", "fr", 413, b"larger than 2 MB"),
])
def test_a_bad_upload_is_refused_saying_why_and_nothing_is_stored(admin, settings, data, key, language, status, message):
    response = upload(admin, data, key, language)
    assert response.status_code == status and message in response.data
    assert uploaded(settings.INSTANCE_DIR, "access-barriers") == {}


def test_only_admins_upload(analyst, client, accounts, settings):
    assert analyst.get(PAGE).status_code == 403
    token = csrf_from(analyst.get("/dashboard/?lang=en").data)  # the logout form's
    refused = analyst.post(PAGE, data={"csrf_token": token, "key": "question:district", "language": "fr",
                                       "recording": (io.BytesIO(DISTRICT_WAV), "d.wav")}, content_type="multipart/form-data")
    assert refused.status_code == 403
    assert client.get(PAGE).status_code == 302  # anonymous: to the login page
    assert uploaded(settings.INSTANCE_DIR, "access-barriers") == {}
