"""Phone numbers: any number a citizen writes from is read; only numbers that can exist are dialled."""

from __future__ import annotations

import pytest

from palabre.identity import InvalidAddress, dialable_phone, normalise_phone

# Real-shaped numbers in ranges the operators use (libphonenumber's metadata, December 2026).
VALID = [
    ("+221 77 123 45 67", "+221771234567"),  # Senegal, Orange mobile
    ("+225 07 07 12 34 56", "+2250707123456"),  # Côte d'Ivoire, 10 digits since 2021
    ("+234 803 123 4567", "+2348031234567"),  # Nigeria, MTN
    ("+254 712 345 678", "+254712345678"),  # Kenya, Safaricom
    ("+233 24 412 3456", "+233244123456"),  # Ghana, MTN
    ("+33 6 12 34 56 78", "+33612345678"),  # France, mobile
]
LOCAL = [
    ("77 123 45 67", "SN", "+221771234567"),
    ("07 07 12 34 56", "CI", "+2250707123456"),
    ("0803 123 4567", "NG", "+2348031234567"),
    ("0712 345678", "KE", "+254712345678"),
    ("024 412 3456", "GH", "+233244123456"),
    ("06 12 34 56 78", "FR", "+33612345678"),
    ("+254712345678", "CI", "+254712345678"),  # a '+country' wins over PHONE_REGION
]
# The right length for their country (libphonenumber's is_possible_number) but in no range that exists.
IMPOSSIBLE_RANGES = [
    ("+221 12 345 67 89", "SN"),
    ("+234 999 123 4567", "NG"),
    ("+234 123 4567", "NG"),
    ("+254 912 345 678", "KE"),
    ("+233 12 345 6789", "GH"),
    ("+33 0 12 34 56 78", "FR"),
]


@pytest.mark.parametrize("raw, expected", VALID)
def test_real_numbers_from_six_countries_are_dialable(raw, expected):
    assert dialable_phone(raw) == expected == normalise_phone(raw)


@pytest.mark.parametrize("raw, region, expected", LOCAL)
def test_local_numbers_are_read_with_phone_region(raw, region, expected):
    assert dialable_phone(raw, region) == expected


@pytest.mark.parametrize("raw, country", IMPOSSIBLE_RANGES)
def test_numbers_in_no_real_range_are_never_dialled_and_the_reason_names_the_country(raw, country):
    with pytest.raises(InvalidAddress) as refused:
        dialable_phone(raw)
    reason = str(refused.value)
    assert f"no such number in {country}" in reason and "check the digits" in reason
    assert raw.replace(" ", "")[-4:] not in reason.replace(" ", ""), "a reason never repeats the number"


@pytest.mark.parametrize("raw, country", IMPOSSIBLE_RANGES)
def test_a_citizen_writing_from_such_a_number_is_still_heard(raw, country):
    """Inbound numbers come from the operator (Twilio's From, the USSD gateways): metadata may lag behind reality."""
    assert normalise_phone(raw).startswith("+")


def test_a_number_without_country_code_says_what_is_missing():
    for read in (normalise_phone, dialable_phone):
        with pytest.raises(InvalidAddress) as refused:
            read("0803 123 4567")
        assert str(refused.value) == "no country code: write it with +country, or set PHONE_REGION for local numbers"


@pytest.mark.parametrize("raw, region, reason", [
    ("0803 123 4567", "CI", "too long for CI (PHONE_REGION): a number from elsewhere needs +country"),  # Nigerian
    ("012 345 678", "SN", "no such number in SN (PHONE_REGION): check the digits, "
                          "or write a number from elsewhere with +country"),
])
def test_a_local_number_that_is_not_from_phone_region_says_so(raw, region, reason):
    with pytest.raises(InvalidAddress) as refused:
        dialable_phone(raw, region)
    assert str(refused.value) == reason


@pytest.mark.parametrize("raw, reason", [
    ("", "missing phone number"),
    ("1" * 40, "overlong phone number"),
    ("not-a-number", "not a phone number"),
    ("+999 1234 5678", "unknown country code"),
    ("+221 77 12", "too short for SN"),
    ("+221 77 123 45 67 89 01", "too long for SN"),
])
def test_every_refusal_says_why(raw, reason):
    for read in (normalise_phone, dialable_phone):
        with pytest.raises(InvalidAddress) as refused:
            read(raw)
        assert str(refused.value) == reason
