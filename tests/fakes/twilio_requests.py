"""Build the requests Twilio sends us, signed the way Twilio signs them, and read our TwiML answers."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree

from twilio.request_validator import RequestValidator

DATA = Path(__file__).resolve().parent.parent / "data" / "twilio"
ACCOUNT_SID = "AC" + "a" * 32
AUTH_TOKEN = "test-twilio-auth-token"
FROM_NUMBER = "+447700900999"  # our Twilio number (Ofcom's drama range: never a real person)
CITIZEN = "+447700900001"  # a citizen's number, from the same range
PUBLIC_BASE_URL = "https://palabre.example.org"


def twilio_settings(settings, api_url: str = "http://127.0.0.1:9"):
    """Test settings with Twilio configured, the public URL set and the REST API at `api_url`."""
    return settings.replace(
        TWILIO_ACCOUNT_SID=ACCOUNT_SID, TWILIO_AUTH_TOKEN=AUTH_TOKEN, TWILIO_FROM_NUMBER=FROM_NUMBER,
        TWILIO_API_URL=api_url, PUBLIC_BASE_URL=PUBLIC_BASE_URL,
    )


def payload(name: str, **fields: str) -> dict[str, str]:
    """A form from tests/data/twilio/<name>.json with some fields replaced (None removes one)."""
    form = {k: v for k, v in json.loads((DATA / f"{name}.json").read_text()).items() if not k.startswith("_")}
    form.update(fields)
    return {k: v for k, v in form.items() if v is not None}


def signature(form: dict[str, str], path: str, token: str = AUTH_TOKEN, base_url: str = PUBLIC_BASE_URL) -> str:
    return RequestValidator(token).compute_signature(base_url + path, form)


def post_signed(client, path: str, form: dict[str, str], token: str = AUTH_TOKEN, **headers: str):
    """POST a form as Twilio would, with a valid X-Twilio-Signature unless one is given."""
    headers.setdefault("X-Twilio-Signature", signature(form, path, token))
    return client.post(path, data=form, headers=headers)


def twiml_messages(response) -> list[str]:
    """The text of each <Message> of a TwiML answer."""
    root = ElementTree.fromstring(response.data)
    assert root.tag == "Response"
    return [m.text or "" for m in root.findall("Message")]
