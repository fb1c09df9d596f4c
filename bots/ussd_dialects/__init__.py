"""USSD gateways ("dialects"): each turns its request into a neutral `UssdRequest` and renders a `Screen`.

A dialect is a module with `NAME`, `parse(request) -> UssdRequest` and
`respond(screen, ussd_request) -> Response`; `bots/ussd.py` does everything else, the same for all.
Adding a gateway is a new module here and one line in `bots.ussd.DIALECTS`.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

# Session ids end up in idempotency keys (inbound_messages.external_id, 128 characters) beside
# the caller's pseudonym (bots/ussd_session.py). Real ones are far shorter: Africa's Talking's
# 'ATUid_' and 32 hex digits, Hubtel's 32 hex digits.
MAX_SESSION_ID = 80


class BadUssdRequest(ValueError):
    """The request cannot come from the gateway (a field is missing or malformed): answer 400."""


@dataclass(frozen=True)
class UssdRequest:
    """One USSD request, as every dialect sees it."""

    dialect: str  # prefixes the idempotency keys, so two gateways' session ids never meet
    session_id: str
    phone: str  # as the gateway sent it; bots/ussd.py normalises it
    # (position, text) of the inputs the request carries, oldest first. Position 0 is the dial
    # itself, 1 the first input of the session, and so on; a retried request repeats its positions.
    inputs: tuple[tuple[int, str], ...]
    page: int = 0  # the menu page on screen before the first of `inputs` (gateways that echo our state)
    new: bool = False  # the gateway says this is the dial that opens the session
    closing: bool = False  # the gateway says the session is over (Hubtel release/timeout): record nothing
    query: bool = False  # a lookup by the gateway's API, no citizen's session (Hubtel Query): answer, record nothing

    @property
    def position(self) -> int:
        """The position of the latest input: with the session id, what makes a request unique."""
        return self.inputs[-1][0]


def required(value: object, field: str) -> str:
    """A field's value as a string, or BadUssdRequest naming the field."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise BadUssdRequest(f"missing field {field}")
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        raise BadUssdRequest(f"field {field} must be a string")
    return str(value).strip()


def session_id(value: object, field: str) -> str:
    """A gateway's session id: printable, short enough to key on."""
    text = required(value, field)
    if len(text) > MAX_SESSION_ID or not text.isprintable():
        raise BadUssdRequest(f"field {field} is not a session id")
    return text


def international(phone: str) -> str:
    """A gateway's phone number with its '+' when it sent international digits without one."""
    # Hubtel always sends '233246912184', Africa's Talking does in some markets ('254711XXXYYY').
    # A leading 0 is a national number: left as it is, for PHONE_REGION to read.
    if phone.isascii() and phone.isdigit() and not phone.startswith("0"):
        return "+" + phone
    return phone


def clean_input(text: str) -> str:
    """A citizen's input without control characters (a keypad cannot type them; PostgreSQL refuses NUL)."""
    return "".join(ch for ch in text if not unicodedata.category(ch).startswith("C"))
