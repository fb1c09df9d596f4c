"""The webhook's signature check accepts exactly what twilio's RequestValidator.validate accepts, computing less."""

from __future__ import annotations

from hypothesis import given, strategies as st
from twilio.request_validator import RequestValidator
from werkzeug.datastructures import MultiDict

from bots.twilio_webhook import valid_signature

TOKEN = "test-auth-token"
hosts = st.sampled_from(["example.org", "example.org:443", "example.org:80", "example.org:8443", "127.0.0.1:5000"])
urls = st.builds(lambda scheme, host, path, query: f"{scheme}://{host}{path}{query}", st.sampled_from(["http", "https"]), hosts,
                 st.sampled_from(["/sms/twilio", "/voice/twilio", "/"]), st.sampled_from(["", "?step=3", "?a=1&b=%20x"]))
forms = st.lists(st.tuples(st.sampled_from(["Body", "From", "MessageSid", "NumSegments"]), st.text(max_size=12)), max_size=6).map(MultiDict)


@given(received=urls, signed=urls, form=forms, algorithm=st.sampled_from(["HMAC_SHA1", "HMAC_SHA256"]),
       forged=st.booleans())
def test_the_same_requests_are_accepted_as_by_twilios_validator(received, signed, form, algorithm, forged):
    validator = RequestValidator(TOKEN)
    signature = validator.compute_signature(signed, form, algorithm)
    if forged:
        signature = RequestValidator("another-token").compute_signature(signed, form, algorithm)
    assert valid_signature(validator, received, form, signature, algorithm) == validator.validate(received, form, signature, algorithm)


def test_a_url_signed_with_or_without_its_port_is_accepted():
    validator, form = RequestValidator(TOKEN), MultiDict({"Body": "1"})
    for signed in ("https://example.org/sms/twilio", "https://example.org:443/sms/twilio"):
        signature = validator.compute_signature(signed, form)
        assert valid_signature(validator, "https://example.org/sms/twilio", form, signature, "HMAC_SHA1")
        assert valid_signature(validator, "https://example.org:443/sms/twilio", form, signature, "HMAC_SHA1")


def test_an_unknown_algorithm_is_refused():
    validator, form = RequestValidator(TOKEN), MultiDict({"Body": "1"})
    signature = validator.compute_signature("https://example.org/sms/twilio", form)
    assert not valid_signature(validator, "https://example.org/sms/twilio", form, signature, "HMAC_MD5")
