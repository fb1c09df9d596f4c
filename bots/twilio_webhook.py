"""Twilio's webhook signature, checked the same way for SMS, WhatsApp and voice.

Facts this module depends on:
- X-Twilio-Signature is base64(HMAC-SHA1(auth token, full URL + each POST field name and value,
  sorted by name)); the full URL includes the query string (voice action URLs carry `?step=`).
- When a Webhook Rule names a SharedKey, the request also carries X-Twilio-Webhooks-Signature-Settings
  and is signed with that key and the algorithm it names.
- Twilio adds new form fields without notice, so every field received is signed, never a fixed list.
"""

from __future__ import annotations

import logging

from urllib.parse import urlparse

from flask import abort, request
from twilio.request_validator import RequestValidator, add_port, compare, get_signature_algorithm, remove_port

from palabre.extensions import config

log = logging.getLogger(__name__)

SIGNATURE_SETTINGS_HEADER = "X-Twilio-Webhooks-Signature-Settings"


def public_url() -> str:
    """The URL Twilio called, as it signed it: PUBLIC_BASE_URL + path when set, else the request's."""
    base = config().PUBLIC_BASE_URL
    if not base:
        return request.url
    query = request.query_string.decode("latin-1")
    return base + request.path + (f"?{query}" if query else "")


def signed_form():
    """The posted form, once its Twilio signature is checked; 403 otherwise (nothing is stored)."""
    settings = config()
    signature = request.headers.get("X-Twilio-Signature", "")
    signature_settings = request.headers.get(SIGNATURE_SETTINGS_HEADER)
    secret = settings.TWILIO_WEBHOOK_SHARED_KEY if signature_settings else settings.TWILIO_AUTH_TOKEN
    if not secret:
        needed = "TWILIO_WEBHOOK_SHARED_KEY" if signature_settings else "TWILIO_AUTH_TOKEN"
        log.warning("Twilio webhook refused: %s is not set, so no signature can be checked", needed)
        abort(403, f"Twilio webhooks are refused until {needed} is set.")
    if not signature:
        abort(403, "X-Twilio-Signature is missing.")
    form = request.form
    if not valid_signature(RequestValidator(secret), public_url(), form, signature, get_signature_algorithm(signature_settings)):
        abort(403, "X-Twilio-Signature does not match: check TWILIO_AUTH_TOKEN and PUBLIC_BASE_URL.")
    return form


def valid_signature(validator: RequestValidator, url: str, form, signature: str, algorithm: str | None) -> bool:
    """RequestValidator.validate for a posted form, computing the second signature only when the first does not match."""
    # twilio's validate computes, on every request, the signature of the URL with its port and without it
    # (Twilio signs either way); the same two are accepted here, the URL as received tried first. A JSON
    # body's bodySHA256 does not apply: the form is parsed.
    parsed = urlparse(url)
    candidates = (add_port(parsed), remove_port(parsed)) if parsed.port else (remove_port(parsed), add_port(parsed))
    try:
        return any(compare(validator.compute_signature(candidate, form, algorithm), signature) for candidate in candidates)
    except ValueError:  # an algorithm this twilio does not know: its validate logs which, and refuses
        return validator.validate(url, form, signature, algorithm)
