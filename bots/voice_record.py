"""A free-text question answered on a call: Twilio's <Record> action read, and the recording fetched for staff.

Facts this module depends on (Twilio's <Record> docs):
- The action request carries RecordingUrl, RecordingDuration (seconds) and Digits (the key that ended
  the recording, or `hangup`); Twilio also sends RecordingSid, the last part of RecordingUrl.
- RecordingUrl answers WAV by default and MP3 with ".mp3" appended; the file "may not yet be accessible
  when the action callback is sent", so a fetch soon after the call can get a 404 for a while.
- Media URLs may require HTTP basic auth (the account's SID and auth token) when the account enforces it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping
from urllib.parse import urlsplit

import requests

from bots.twilio_client import TIMEOUT_SECONDS
from palabre.call_recordings import RECORDING_PATH, RECORDING_SID, Recording
from palabre.config import Config

# What a caller may say in one answer: long enough for a sentence or two, short enough to listen to them all.
RECORD_MAX_SECONDS = 60
# Seconds of silence that end a recording (Twilio's default is 5).
RECORD_SILENCE_SECONDS = 5
# A recording's MP3 is about 1 MB a minute; a bigger answer from the API is not one of ours.
MAX_AUDIO_BYTES = 8 * 1024 * 1024


class RecordingUnavailable(Exception):
    """Twilio cannot give the recording now: `retryable` when it may come (not there yet, Twilio down)."""

    def __init__(self, message: str, retryable: bool):
        super().__init__(message)
        self.retryable = retryable


def read_recording(form: Mapping[str, str]) -> Recording | None:
    """The recording a <Record> action reports, or None when nothing was recorded (or the fields are not Twilio's)."""
    path = urlsplit(form.get("RecordingUrl", "").strip()).path
    match = RECORDING_PATH.match(path)
    if match is None:
        return None
    sid = form.get("RecordingSid", "").strip() or match[1]
    if not RECORDING_SID.match(sid) or sid != match[1]:
        return None
    raw = form.get("RecordingDuration", "").strip()
    duration = int(raw) if raw.isdigit() and len(raw) < 7 else None
    if duration == 0:  # a silent answer, trimmed to nothing: not an answer
        return None
    return Recording(sid=sid, path=path, duration_seconds=duration)


@dataclass(frozen=True)
class RecordingFetch:
    """Fetch a recording's MP3 from Twilio's API at TWILIO_API_URL, with the account's credentials."""

    account_sid: str
    auth_token: str
    api_url: str = "https://api.twilio.com"
    timeout: tuple[float, float] = TIMEOUT_SECONDS

    @classmethod
    def from_config(cls, config: Config) -> RecordingFetch:
        if not (config.TWILIO_ACCOUNT_SID and config.TWILIO_AUTH_TOKEN):
            raise RecordingUnavailable("Listening needs TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN", retryable=False)
        return cls(config.TWILIO_ACCOUNT_SID, config.TWILIO_AUTH_TOKEN, config.TWILIO_API_URL.rstrip("/"))

    def mp3(self, path: str) -> bytes:
        """The recording at this API path as MP3; RecordingUnavailable when Twilio does not give it."""
        # Only a path we checked when Twilio posted it, at our configured API: never our credentials to another host.
        if not RECORDING_PATH.match(path):
            raise RecordingUnavailable("not a Twilio recording path", retryable=False)
        data = bytearray()
        try:
            with requests.get(f"{self.api_url}{path}.mp3", auth=(self.account_sid, self.auth_token),
                              timeout=self.timeout, stream=True) as response:
                status = response.status_code
                if status == 200:
                    for chunk in response.iter_content(64 * 1024):
                        data += chunk
                        if len(data) > MAX_AUDIO_BYTES:
                            raise RecordingUnavailable("the recording is larger than any answer we record", retryable=False)
        except requests.RequestException as exc:
            raise RecordingUnavailable(f"Twilio unreachable ({type(exc).__name__})", retryable=True) from exc
        if status == 404:
            raise RecordingUnavailable("Twilio has no such recording (yet, or any more)", retryable=True)
        if status != 200:
            raise RecordingUnavailable(f"Twilio answered HTTP {status}", retryable=status >= 500)
        return bytes(data)
