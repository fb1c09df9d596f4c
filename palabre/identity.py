"""Addresses and pseudonyms: who a message is from, without ever storing who they are in the open."""

from __future__ import annotations

import hashlib
import hmac

import phonenumbers

TEL, TELEGRAM = "tel", "telegram"
# 96 bits: collisions are out of reach for any city, and the id stays short in a CSV.
PSEUDONYM_HEX_CHARS = 24


class InvalidAddress(ValueError):
    """A phone number or chat id that cannot be a real sender."""


def normalise_phone(raw: str, region: str | None = None) -> str:
    """The E.164 form of a phone number ('+2250701020304'), so SMS and USSD meet on one participant."""
    text = (raw or "").strip()
    if not text or len(text) > 32:
        raise InvalidAddress("missing or overlong phone number")
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidAddress(f"not a phone number ({exc.error_type})") from exc
    if not phonenumbers.is_possible_number(number):
        raise InvalidAddress("not a possible phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_address(scheme: str, raw: str, region: str | None = None) -> str:
    """A canonical address for a scheme: E.164 for phones, the numeric chat id for Telegram."""
    if scheme == TEL:
        return normalise_phone(raw, region)
    if scheme == TELEGRAM:
        text = str(raw).strip()
        if not text.lstrip("-").isdigit() or len(text) > 20:
            raise InvalidAddress("not a Telegram chat id")
        return text
    raise InvalidAddress(f"unknown address scheme {scheme!r}")


def address_hash(key: str, scheme: str, address: str) -> str:
    """HMAC-SHA256 of an address: how we look a participant up without an index of phone numbers."""
    return hmac.new(key.encode(), f"{scheme}:{address}".encode(), hashlib.sha256).hexdigest()


def pseudonym(key: str, scheme: str, address: str) -> str:
    """The participant id shown in exports and dashboards: a keyed hash, not reversible without the key."""
    return address_hash(key, scheme, address)[:PSEUDONYM_HEX_CHARS]


def mask(address: str) -> str:
    """An address fit for a log line: its last two characters only."""
    return "…" + address[-2:] if len(address) > 4 else "…"
