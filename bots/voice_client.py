"""Place one call through Twilio's REST Calls resource; its TwiML then comes from our voice webhook."""

from __future__ import annotations

from dataclasses import dataclass

import requests

from bots.errors import ChannelNotConfigured, SendFailed
from bots.twilio_client import TIMEOUT_SECONDS, _json, _network_error, _refusal
from palabre.config import Config

CALL_PATH = "/voice/twilio"
STATUS_CALLBACK_PATH = "/voice/twilio/status"


@dataclass(frozen=True)
class TwilioCaller:
    """A `palabre.outbound.Sender` for voice: POST {api_url}/2010-04-01/Accounts/{sid}/Calls.json."""

    account_sid: str
    auth_token: str
    from_number: str
    public_base_url: str
    api_url: str = "https://api.twilio.com"
    timeout: tuple[float, float] = TIMEOUT_SECONDS

    @classmethod
    def from_config(cls, config: Config) -> TwilioCaller:
        """A caller configured from the settings; ChannelNotConfigured when something is missing."""
        missing = [name for name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN") if not getattr(config, name)]
        if not (config.TWILIO_VOICE_NUMBER or config.TWILIO_FROM_NUMBER):
            missing.append("TWILIO_VOICE_NUMBER or TWILIO_FROM_NUMBER")
        if not config.PUBLIC_BASE_URL:
            missing.append("PUBLIC_BASE_URL (Twilio fetches the call's TwiML from it)")
        if missing:
            raise ChannelNotConfigured("Voice calls need " + ", ".join(missing))
        return cls(account_sid=config.TWILIO_ACCOUNT_SID, auth_token=config.TWILIO_AUTH_TOKEN,  # type: ignore[arg-type]
                   from_number=config.TWILIO_VOICE_NUMBER or config.TWILIO_FROM_NUMBER,  # type: ignore[arg-type]
                   public_base_url=config.PUBLIC_BASE_URL, api_url=config.TWILIO_API_URL.rstrip("/"))

    @property
    def calls_url(self) -> str:
        return f"{self.api_url}/2010-04-01/Accounts/{self.account_sid}/Calls.json"

    def form(self, address: str) -> dict[str, str]:
        """The Calls resource's fields: whom to call, from which number, where its TwiML and its outcome go."""
        # Twilio posts the final status (completed, busy, no-answer, failed, canceled) to StatusCallback.
        return {"To": address, "From": self.from_number, "Url": self.public_base_url + CALL_PATH, "Method": "POST",
                "StatusCallback": self.public_base_url + STATUS_CALLBACK_PATH, "StatusCallbackMethod": "POST"}

    def send(self, address: str, text: str, message_id: int) -> str:
        """Ask Twilio to place the call and return its CallSid (`text` is not said: the webhook speaks)."""
        try:
            response = requests.post(self.calls_url, data=self.form(address), auth=(self.account_sid, self.auth_token),
                                     timeout=self.timeout)
        except requests.RequestException as exc:
            raise _network_error(exc, message_id) from exc
        if response.status_code in (200, 201):
            sid = _json(response).get("sid")
            if not isinstance(sid, str) or not sid:
                # Twilio took it: asking again could ring the person twice.
                raise SendFailed("Twilio accepted the call but returned no sid", retryable=False, status=response.status_code)
            return sid
        raise _refusal(response)
