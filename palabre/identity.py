"""Addresses and pseudonyms: who a message is from, without ever storing who they are in the open."""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

import phonenumbers

TEL, TELEGRAM = "tel", "telegram"
# 96 bits: collisions are out of reach for any city, and the id stays short in a CSV.
PSEUDONYM_HEX_CHARS = 24


class InvalidAddress(ValueError):
    """A phone number or chat id that cannot be a real sender; the message says why, never the number."""


MAX_PHONE_CHARS = 32
NO_COUNTRY = "no country code: write it with +country, or set PHONE_REGION for local numbers"
_PARSE_REASONS = {
    phonenumbers.NumberParseException.NOT_A_NUMBER: "not a phone number",
    phonenumbers.NumberParseException.TOO_SHORT_AFTER_IDD: "too short",
    phonenumbers.NumberParseException.TOO_SHORT_NSN: "too short",
    phonenumbers.NumberParseException.TOO_LONG: "too long",
}
_LENGTH_REASONS = {
    phonenumbers.ValidationResult.TOO_SHORT: "too short",
    phonenumbers.ValidationResult.TOO_LONG: "too long",
    phonenumbers.ValidationResult.INVALID_LENGTH: "the wrong length",
    phonenumbers.ValidationResult.INVALID_COUNTRY_CODE: "unknown country code",
}


def normalise_phone(raw: str, region: str | None = None) -> str:
    """The E.164 form of a number someone wrote from ('+2250701020304'), so SMS and USSD meet on one participant."""
    # Lenient on purpose: the length must fit the country (is_possible_number), not the digits a
    # known range (is_valid_number). A number a message came from is one the operator delivered
    # from (Twilio's From, the USSD gateways' caller), and libphonenumber's ranges lag behind new
    # allocations and number portings: refusing it would silence a real citizen. Numbers we are
    # about to text first, where a wrong one costs money and may reach a stranger, go through
    # dialable_phone instead.
    return _normalised(raw, region)


@lru_cache(maxsize=16_384)
def _normalised(raw: str, region: str | None) -> str:
    # Every inbound SMS parses its sender again: libphonenumber took 3% of the webhook's CPU (py-spy over
    # bench/webhooks.py's mixed load) for the same few numbers writing back and forth. Refusals are not cached.
    return _e164(_parse(raw, region))


def dialable_phone(raw: str, region: str | None = None) -> str:
    """The E.164 form of a number we are about to text unprompted (an invitation): only ranges that exist."""
    number = _parse(raw, region)
    if not phonenumbers.is_valid_number(number):
        # '+221 12 345 67 89' has the length of a Senegalese number, but no Senegalese number starts with 1.
        raise _refused("no such number in", number, raw, region, "check the digits",
                       "check the digits, or write a number from elsewhere with +country")
    return _e164(number)


def _parse(raw: str, region: str | None) -> phonenumbers.PhoneNumber:
    """A number parsed and of a possible length for its country, or InvalidAddress saying why."""
    text = (raw or "").strip()
    if not text:
        raise InvalidAddress("missing phone number")
    if len(text) > MAX_PHONE_CHARS:
        raise InvalidAddress("overlong phone number")
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        if exc.error_type == phonenumbers.NumberParseException.INVALID_COUNTRY_CODE:
            raise InvalidAddress("unknown country code" if text.startswith("+") else NO_COUNTRY) from None
        raise InvalidAddress(_PARSE_REASONS.get(exc.error_type, "not a phone number")) from None
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason in _LENGTH_REASONS:
        raise _refused(_LENGTH_REASONS[reason] + " for", number, raw, region, "",
                       "a number from elsewhere needs +country")
    return number


def _refused(what: str, number: phonenumbers.PhoneNumber, raw: str, region: str | None, advice: str,
             local_advice: str) -> InvalidAddress:
    """Why a number is refused, naming its country, and saying so when PHONE_REGION gave it that country."""
    # A number in no range belongs to no region; its country code's main one names it ('+44' is GB's).
    main = phonenumbers.region_code_for_country_code(number.country_code)
    country = phonenumbers.region_code_for_number(number) or (main if main != "ZZ" else f"+{number.country_code}")
    read_locally = (region is not None and not raw.strip().startswith("+")
                    and number.country_code == phonenumbers.country_code_for_region(region))
    if read_locally:
        return InvalidAddress(f"{what} {country} (PHONE_REGION): {local_advice}")
    return InvalidAddress(f"{what} {country}" + (f": {advice}" if advice else ""))


def _e164(number: phonenumbers.PhoneNumber) -> str:
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
