"""Send one SMS through Twilio's REST API, turning every failure into a named error with its policy."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import requests
from urllib3.exceptions import NewConnectionError

from bots.errors import ChannelNotConfigured, ContactOptedOut, MaybeSent, NotSent, SendFailed
from palabre.config import Config

log = logging.getLogger(__name__)

# (connect, read) seconds: a worker must not hang on a slow API; Twilio answers in well under a second.
TIMEOUT_SECONDS = (3.05, 10.0)
# Twilio error 21610, "Attempt to send to unsubscribed recipient": the person texted STOP to our
# number, and Twilio blocks every message to them until they text START.
UNSUBSCRIBED = 21610
STATUS_CALLBACK_PATH = "/sms/twilio/status"


@dataclass(frozen=True)
class TwilioSender:
    """A `palabre.outbound.Sender` for SMS: POST {api_url}/2010-04-01/Accounts/{sid}/Messages.json."""

    account_sid: str
    auth_token: str
    api_url: str = "https://api.twilio.com"
    from_number: str | None = None
    messaging_service_sid: str | None = None  # preferred over from_number when both are set
    status_callback: str | None = None
    timeout: tuple[float, float] = TIMEOUT_SECONDS

    @classmethod
    def from_config(cls, config: Config) -> TwilioSender:
        """A sender configured from the settings; ChannelNotConfigured when credentials are missing."""
        missing = [name for name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN") if not getattr(config, name)]
        if not (config.TWILIO_FROM_NUMBER or config.TWILIO_MESSAGING_SERVICE_SID):
            missing.append("TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID")
        if missing:
            raise ChannelNotConfigured("SMS sending needs " + ", ".join(missing))
        callback = config.PUBLIC_BASE_URL + STATUS_CALLBACK_PATH if config.PUBLIC_BASE_URL else None
        return cls(
            account_sid=config.TWILIO_ACCOUNT_SID, auth_token=config.TWILIO_AUTH_TOKEN,  # type: ignore[arg-type]
            api_url=config.TWILIO_API_URL.rstrip("/"), from_number=config.TWILIO_FROM_NUMBER,
            messaging_service_sid=config.TWILIO_MESSAGING_SERVICE_SID, status_callback=callback,
        )

    @property
    def messages_url(self) -> str:
        return f"{self.api_url}/2010-04-01/Accounts/{self.account_sid}/Messages.json"

    def form(self, address: str, text: str) -> dict[str, str]:
        """The Messages resource's fields for one text to one address."""
        form = {"To": address, "Body": text}
        if self.messaging_service_sid:
            form["MessagingServiceSid"] = self.messaging_service_sid
        else:
            form["From"] = self.from_number  # type: ignore[assignment]
        if self.status_callback:
            form["StatusCallback"] = self.status_callback
        return form

    def send(self, address: str, text: str, message_id: int) -> str:
        """Hand one message to Twilio and return its message sid."""
        form = self.form(address, text)
        try:
            response = requests.post(self.messages_url, data=form, auth=(self.account_sid, self.auth_token), timeout=self.timeout)
        except requests.RequestException as exc:
            raise _network_error(exc, message_id) from exc
        except Exception as exc:  # not the network's: a bug, or RQ's job timeout arriving mid-call
            raise MaybeSent(f"{type(exc).__name__} during the call to Twilio; it may have been sent") from exc
        if response.status_code in (200, 201):
            sid = _json(response).get("sid")
            if not isinstance(sid, str) or not sid:
                # Twilio took it: sending again could deliver it twice.
                raise SendFailed("Twilio accepted the message but returned no sid", retryable=False, status=response.status_code)
            return sid
        raise _refusal(response)


# Raised before a byte of the request was written: no connection, or a URL that cannot be requested.
_BEFORE_SENDING = (requests.ConnectTimeout, requests.exceptions.InvalidURL, requests.exceptions.MissingSchema,
                   requests.exceptions.InvalidSchema)


def _network_error(exc: requests.RequestException, message_id: int) -> SendFailed:
    """Retry only when the request cannot have reached Twilio; otherwise it may have been sent."""
    if isinstance(exc, _BEFORE_SENDING) or _refused(exc):
        return NotSent(f"Twilio unreachable ({type(exc).__name__})")
    # A read timeout or a connection cut mid-answer: Twilio may have queued the SMS already, and
    # messages go out at most once, so an operator checks Twilio's log instead of a blind retry.
    log.warning("outbound %s: no answer from Twilio (%s); not retried, it may have been sent", message_id, type(exc).__name__)
    return MaybeSent(f"no answer from Twilio ({type(exc).__name__}); it may have been sent")


def _refused(exc: requests.RequestException) -> bool:
    """Whether the connection was never opened (refused, unknown host)."""
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(exc, requests.ConnectionError) and isinstance(reason, NewConnectionError)


def _refusal(response: requests.Response) -> Exception:
    """The named error for a non-2xx answer."""
    status = response.status_code
    code = _json(response).get("code")
    # Only the code: Twilio's messages quote the phone number ("The 'To' number +44... is not valid").
    what = f"Twilio answered HTTP {status}" + (f", error {code}" if code else "")
    if code == UNSUBSCRIBED:
        return ContactOptedOut(what)
    if status == 401:
        return ChannelNotConfigured(what + ": check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN")
    # 429 (error 20429, too many requests) and 5xx: try again later, with the worker's backoff.
    return SendFailed(what, retryable=status == 429 or status >= 500, status=status)


def _json(response: requests.Response) -> dict:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
